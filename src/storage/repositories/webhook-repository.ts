/**
 * Webhook subscriptions, deliveries and their attempt log. Deliveries are an outbox: inserted once per
 * (event, target) whatever the number of processes that saw the event, and claimed by a compare-and-set on
 * `next_attempt_at` — the claim pushes it forward by a lease — so no two processes send the same attempt.
 */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Database } from '../database.js';
import type { WebhookAttemptTable, WebhookDeliveryTable, WebhookSubscriptionTable } from '../schema.js';

export type WebhookSubscriptionRow = Selectable<WebhookSubscriptionTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveryTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptTable>;
export type WebhookDeliveryStatus = WebhookDeliveryRow['status'];

/** Deliveries in these states are never attempted again unless redelivered. */
const finishedStatuses: WebhookDeliveryStatus[] = ['delivered', 'failed'];

export type WebhookSubscriptionChanges = Omit<Updateable<WebhookSubscriptionTable>, 'id' | 'created_at'>;

export interface WebhookDeliveryFilter {
  status?: WebhookDeliveryStatus;
  jobId?: string;
  subscriptionId?: string;
  /** Cursor: a delivery id; the page continues after it (newest first). */
  after?: string;
  limit: number;
}

/** A delivery this process holds until `leaseUntil` (the value its claim wrote into `next_attempt_at`). */
export interface ClaimedDelivery {
  delivery: WebhookDeliveryRow;
  leaseUntil: number;
}

export interface AttemptRecord {
  attemptedAt: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** What becomes of a claimed delivery after an attempt (or after deciding not to attempt it). */
export type DeliveryOutcome =
  | { status: 'delivered'; deliveredAt: number }
  | { status: 'pending'; nextAttemptAt: number }
  | { status: 'failed' };

export class WebhookRepository {
  constructor(private readonly db: Database) {}

  async insertSubscription(row: Insertable<WebhookSubscriptionTable>): Promise<void> {
    await this.db.insertInto('webhook_subscriptions').values(row).execute();
  }

  getSubscription(id: string): Promise<WebhookSubscriptionRow | undefined> {
    return this.db.selectFrom('webhook_subscriptions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  listSubscriptions(options: { enabledOnly?: boolean } = {}): Promise<WebhookSubscriptionRow[]> {
    let query = this.db.selectFrom('webhook_subscriptions').selectAll();
    if (options.enabledOnly) query = query.where('enabled', '=', 1);
    return query.orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
  }

  async updateSubscription(
    id: string,
    changes: WebhookSubscriptionChanges,
  ): Promise<WebhookSubscriptionRow | undefined> {
    if (Object.keys(changes).length > 0) {
      await this.db.updateTable('webhook_subscriptions').set(changes).where('id', '=', id).execute();
    }
    return this.getSubscription(id);
  }

  /** Delete a subscription; its pending deliveries end as failed, since nobody can sign them any more. */
  async deleteSubscription(id: string, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (transaction) => {
      const result = await transaction
        .deleteFrom('webhook_subscriptions')
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(result.numDeletedRows) === 0) return false;
      await transaction
        .updateTable('webhook_deliveries')
        .set({ status: 'failed', last_error: 'The subscription was deleted.', next_attempt_at: now })
        .where('subscription_id', '=', id)
        .where('status', '=', 'pending')
        .execute();
      return true;
    });
  }

  /** Insert a delivery unless one with the same id exists; true when this call created it. */
  async insertDelivery(row: Insertable<WebhookDeliveryTable>): Promise<boolean> {
    const result = await this.db
      .insertInto('webhook_deliveries')
      .values(row)
      .onConflict((conflict) => conflict.column('id').doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  getDelivery(id: string): Promise<WebhookDeliveryRow | undefined> {
    return this.db.selectFrom('webhook_deliveries').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Claim up to `limit` due deliveries. Each claim is a conditional update on the `next_attempt_at` value
   * just read: of several processes racing for one row, exactly one sees its update apply.
   */
  async claimDue(input: { now: number; leaseMs: number; limit: number }): Promise<ClaimedDelivery[]> {
    const leaseUntil = input.now + input.leaseMs;
    const claimed: ClaimedDelivery[] = [];
    // A claimer that lost races to others looks again (a few times) rather than leaving work on the table.
    for (let round = 0; round < 3 && claimed.length < input.limit; round++) {
      const candidates = await this.db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', input.now)
        .orderBy('next_attempt_at')
        .limit(input.limit - claimed.length)
        .execute();
      let lostRaces = 0;
      for (const delivery of candidates) {
        const result = await this.db
          .updateTable('webhook_deliveries')
          .set({ next_attempt_at: leaseUntil })
          .where('id', '=', delivery.id)
          .where('status', '=', 'pending')
          .where('next_attempt_at', '=', delivery.next_attempt_at)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) > 0) {
          claimed.push({ delivery: { ...delivery, next_attempt_at: leaseUntil }, leaseUntil });
        } else {
          lostRaces++;
        }
      }
      if (lostRaces === 0) break;
    }
    return claimed;
  }

  /**
   * Log an attempt (when one was made) and settle the delivery, only while this process still holds it.
   * False when the lease was lost — another process took the delivery over.
   */
  async settle(
    claim: ClaimedDelivery,
    attempt: AttemptRecord | null,
    outcome: DeliveryOutcome,
    lastError: string | null,
  ): Promise<boolean> {
    const { delivery, leaseUntil } = claim;
    return this.db.transaction().execute(async (transaction) => {
      const result = await transaction
        .updateTable('webhook_deliveries')
        .set((eb) => ({
          status: outcome.status,
          attempts: attempt ? eb('attempts', '+', 1) : eb.ref('attempts'),
          last_status_code: attempt ? attempt.statusCode : eb.ref('last_status_code'),
          last_error: lastError,
          next_attempt_at: outcome.status === 'pending' ? outcome.nextAttemptAt : leaseUntil,
          delivered_at: outcome.status === 'delivered' ? outcome.deliveredAt : null,
        }))
        .where('id', '=', delivery.id)
        .where('status', '=', 'pending')
        .where('next_attempt_at', '=', leaseUntil)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return false;
      if (attempt) {
        await transaction
          .insertInto('webhook_attempts')
          .values({
            delivery_id: delivery.id,
            attempted_at: attempt.attemptedAt,
            status_code: attempt.statusCode,
            error: attempt.error,
            duration_ms: Math.round(attempt.durationMs),
          })
          .execute();
      }
      return true;
    });
  }

  async listDeliveries(filter: WebhookDeliveryFilter): Promise<WebhookDeliveryRow[]> {
    let query = this.db.selectFrom('webhook_deliveries').selectAll();
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.jobId) query = query.where('job_id', '=', filter.jobId);
    if (filter.subscriptionId) query = query.where('subscription_id', '=', filter.subscriptionId);
    if (filter.after) {
      const cursor = await this.getDelivery(filter.after);
      if (cursor) {
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '<', cursor.created_at),
            eb.and([eb('created_at', '=', cursor.created_at), eb('id', '<', cursor.id)]),
          ]),
        );
      }
    }
    return query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
  }

  listAttempts(deliveryId: string): Promise<WebhookAttemptRow[]> {
    return this.db
      .selectFrom('webhook_attempts')
      .selectAll()
      .where('delivery_id', '=', deliveryId)
      .orderBy('id')
      .execute();
  }

  /**
   * Delete up to `limit` finished deliveries (delivered, or failed for good) that settled before `before`
   * (ms), with their attempts, and say how many went: callers delete in rounds. A finished delivery's
   * `next_attempt_at` is when it settled (`settle` and `deleteSubscription` write it there), so age counts
   * from its last attempt, and a redelivered one starts again. Pending deliveries, claimed or not, stay.
   */
  async deleteFinishedBefore(before: number, limit: number): Promise<number> {
    return this.db.transaction().execute(async (transaction) => {
      const oldest = transaction
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('status', 'in', finishedStatuses)
        .where('next_attempt_at', '<', before)
        .limit(limit);
      // The status is checked again on the rows themselves: on PostgreSQL a delivery redelivered since the
      // subquery's snapshot is pending by the time its row lock is taken, and is left alone.
      const deleted = await transaction
        .deleteFrom('webhook_deliveries')
        .where('id', 'in', oldest)
        .where('status', 'in', finishedStatuses)
        .returning('id')
        .execute();
      if (deleted.length > 0) {
        const ids = deleted.map((row) => row.id);
        await transaction.deleteFrom('webhook_attempts').where('delivery_id', 'in', ids).execute();
      }
      return deleted.length;
    });
  }

  /** A finished delivery (failed or delivered) becomes due again with a fresh attempt budget. */
  async redeliver(id: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('webhook_deliveries')
      .set({ status: 'pending', attempts: 0, next_attempt_at: now, delivered_at: null })
      .where('id', '=', id)
      .where('status', '!=', 'pending')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
