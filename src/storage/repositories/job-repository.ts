/**
 * Jobs as rows: the database is the source of truth for every job's state in both modes (the queue
 * drivers only decide who runs what, when). Every transition is a conditional update, so a job reaches
 * exactly one terminal state however many processes race on it.
 */
import { sql, type Selectable } from 'kysely';
import type { Database } from '../database.js';
import type { JobEventTable, JobStatus, JobTable } from '../schema.js';

export type JobRow = Selectable<JobTable>;
export type JobEventRow = Selectable<JobEventTable>;

export interface JobListFilter {
  status?: JobStatus[];
  type?: string[];
  createdAfter?: number;
  createdBefore?: number;
  apiKeyId?: string;
  /** Cursor: a job id; the page continues after it (newest first). */
  after?: string;
  limit: number;
}

const activeStatuses: JobStatus[] = ['queued', 'running'];
const finishedStatuses: JobStatus[] = ['succeeded', 'failed', 'canceled'];

export class JobRepository {
  constructor(private readonly db: Database) {}

  /** Insert a job; with an idempotency key, an existing job for the same key wins and is returned. */
  async insert(row: JobRow): Promise<{ job: JobRow; created: boolean }> {
    if (row.idempotency_key !== null) {
      const existing = await this.findByIdempotencyKey(row.api_key_id, row.idempotency_key);
      if (existing) return { job: existing, created: false };
    }
    try {
      await this.db.insertInto('jobs').values(row).execute();
      return { job: row, created: true };
    } catch (error) {
      // Two requests with the same key raced: the unique index let one through.
      if (row.idempotency_key !== null) {
        const existing = await this.findByIdempotencyKey(row.api_key_id, row.idempotency_key);
        if (existing) return { job: existing, created: false };
      }
      throw error;
    }
  }

  private findByIdempotencyKey(apiKeyId: string | null, key: string): Promise<JobRow | undefined> {
    let query = this.db.selectFrom('jobs').selectAll().where('idempotency_key', '=', key);
    query =
      apiKeyId === null ? query.where('api_key_id', 'is', null) : query.where('api_key_id', '=', apiKeyId);
    return query.executeTakeFirst();
  }

  get(id: string): Promise<JobRow | undefined> {
    return this.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(filter: JobListFilter): Promise<JobRow[]> {
    let query = this.db.selectFrom('jobs').selectAll();
    if (filter.status?.length) query = query.where('status', 'in', filter.status);
    if (filter.type?.length) query = query.where('type', 'in', filter.type);
    if (filter.createdAfter !== undefined) query = query.where('created_at', '>=', filter.createdAfter);
    if (filter.createdBefore !== undefined) query = query.where('created_at', '<', filter.createdBefore);
    if (filter.apiKeyId !== undefined) query = query.where('api_key_id', '=', filter.apiKeyId);
    if (filter.after) {
      const cursor = await this.get(filter.after);
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

  /**
   * Claim the next due queued job of one of `types` for `owner` (embedded driver), or a specific job
   * (BullMQ driver, `id` given). A running job whose lease expired may be claimed again: its process died.
   */
  async claim(input: {
    owner: string;
    now: number;
    leaseMs: number;
    types?: string[];
    id?: string;
  }): Promise<JobRow | undefined> {
    return this.db.transaction().execute(async (transaction) => {
      let candidate = transaction
        .selectFrom('jobs')
        .select('id')
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'queued'), eb('run_at', '<=', input.now)]),
            eb.and([eb('status', '=', 'running'), eb('lease_until', '<', input.now)]),
          ]),
        );
      if (input.id) candidate = candidate.where('id', '=', input.id);
      if (input.types) candidate = candidate.where('type', 'in', input.types.length ? input.types : ['']);
      const found = await candidate.orderBy('priority', 'desc').orderBy('run_at').limit(1).executeTakeFirst();
      if (!found) return undefined;
      const result = await transaction
        .updateTable('jobs')
        .set((eb) => ({
          status: 'running' as const,
          lease_owner: input.owner,
          lease_until: input.now + input.leaseMs,
          attempts: eb('attempts', '+', 1),
          started_at: eb.fn.coalesce('started_at', eb.val(input.now)),
          updated_at: input.now,
        }))
        .where('id', '=', found.id)
        .where((eb) =>
          eb.or([
            eb.and([eb('status', '=', 'queued'), eb('run_at', '<=', input.now)]),
            eb.and([eb('status', '=', 'running'), eb('lease_until', '<', input.now)]),
          ]),
        )
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 0) return undefined;
      return transaction.selectFrom('jobs').selectAll().where('id', '=', found.id).executeTakeFirst();
    });
  }

  /** Extend the lease of a job this owner runs; false when it is no longer ours (canceled, reclaimed). */
  async renewLease(id: string, owner: string, until: number): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({ lease_until: until })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async saveProgress(
    id: string,
    owner: string,
    progress: number,
    message: string | null,
    now: number,
  ): Promise<void> {
    await this.db
      .updateTable('jobs')
      .set({ progress, progress_message: message, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .where('lease_owner', '=', owner)
      .execute();
  }

  async saveState(id: string, owner: string, state: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({ state, updated_at: now })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .where('lease_owner', '=', owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** running → succeeded | failed, only by the owner holding it. */
  async finish(input: {
    id: string;
    owner: string;
    status: 'succeeded' | 'failed';
    output?: string | null;
    error?: string | null;
    now: number;
  }): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({
        status: input.status,
        output: input.output ?? null,
        error: input.error ?? null,
        progress: input.status === 'succeeded' ? 1 : sql<number>`progress`,
        finished_at: input.now,
        updated_at: input.now,
        lease_owner: null,
        lease_until: null,
      })
      .where('id', '=', input.id)
      .where('status', '=', 'running')
      .where('lease_owner', '=', input.owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** running → queued again (retry after backoff, or handed back at shutdown). */
  async requeue(input: {
    id: string;
    owner: string;
    runAt: number;
    error?: string | null;
    now: number;
    refundAttempt?: boolean;
  }): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set((eb) => ({
        status: 'queued' as const,
        run_at: input.runAt,
        error: input.error ?? null,
        lease_owner: null,
        lease_until: null,
        updated_at: input.now,
        attempts: input.refundAttempt ? eb('attempts', '-', 1) : eb.ref('attempts'),
      }))
      .where('id', '=', input.id)
      .where('status', '=', 'running')
      .where('lease_owner', '=', input.owner)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** queued | running → canceled. */
  async cancel(id: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({ status: 'canceled', finished_at: now, updated_at: now, lease_owner: null, lease_until: null })
      .where('id', '=', id)
      .where('status', 'in', activeStatuses)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** failed | canceled → queued, with a fresh attempt budget. */
  async retry(id: string, now: number): Promise<boolean> {
    const result = await this.db
      .updateTable('jobs')
      .set({
        status: 'queued',
        attempts: 0,
        run_at: now,
        error: null,
        output: null,
        progress: 0,
        progress_message: null,
        finished_at: null,
        updated_at: now,
      })
      .where('id', '=', id)
      .where('status', 'in', ['failed', 'canceled'])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * Embedded mode has one process: jobs another owner left running died with it. Make them due now
   * (the interrupted attempt still counts).
   */
  async releaseOrphans(owner: string, now: number): Promise<number> {
    const result = await this.db
      .updateTable('jobs')
      .set({ status: 'queued', run_at: now, lease_owner: null, lease_until: null, updated_at: now })
      .where('status', '=', 'running')
      .where((eb) => eb.or([eb('lease_owner', '!=', owner), eb('lease_owner', 'is', null)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /** Jobs a queue should hold: queued ones (possibly never handed to the queue) and lapsed running ones. */
  listRecoverable(
    now: number,
    limit: number,
  ): Promise<Array<Pick<JobRow, 'id' | 'type' | 'priority' | 'run_at' | 'status' | 'lease_until'>>> {
    return this.db
      .selectFrom('jobs')
      .select(['id', 'type', 'priority', 'run_at', 'status', 'lease_until'])
      .where((eb) =>
        eb.or([
          eb('status', '=', 'queued'),
          eb.and([eb('status', '=', 'running'), eb('lease_until', '<', now)]),
        ]),
      )
      .orderBy('run_at')
      .limit(limit)
      .execute();
  }

  async nextDueAt(types: string[]): Promise<number | undefined> {
    if (types.length === 0) return undefined;
    const row = await this.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.min('run_at').as('next'))
      .where('status', '=', 'queued')
      .where('type', 'in', types)
      .executeTakeFirst();
    return row?.next === null || row?.next === undefined ? undefined : Number(row.next);
  }

  async countByStatus(): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom('jobs')
      .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy('status')
      .execute();
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
  }

  async insertEvents(events: Array<Omit<JobEventRow, 'id'>>): Promise<number[]> {
    if (events.length === 0) return [];
    const rows = await this.db.insertInto('job_events').values(events).returning('id').execute();
    return rows.map((row) => Number(row.id));
  }

  /**
   * Events of `types` stored at or after `since` (ms) with ids above `afterId`, oldest first, each with its
   * job's type: for replaying what live delivery may have missed. Events of deleted jobs are left out.
   */
  listEventsSince(input: {
    since: number;
    afterId: number;
    types: readonly string[];
    limit: number;
  }): Promise<Array<JobEventRow & { job_type: string }>> {
    return this.db
      .selectFrom('job_events')
      .innerJoin('jobs', 'jobs.id', 'job_events.job_id')
      .select([
        'job_events.id',
        'job_events.job_id',
        'job_events.type',
        'job_events.data',
        'job_events.created_at',
        'jobs.type as job_type',
      ])
      .where('job_events.created_at', '>=', input.since)
      .where('job_events.id', '>', input.afterId)
      .where('job_events.type', 'in', [...input.types])
      .orderBy('job_events.id')
      .limit(input.limit)
      .execute();
  }

  listEvents(jobId: string, afterId: number): Promise<JobEventRow[]> {
    return this.db
      .selectFrom('job_events')
      .selectAll()
      .where('job_id', '=', jobId)
      .where('id', '>', afterId)
      .orderBy('id')
      .execute();
  }

  /**
   * Deletes at most `limit` jobs that finished (succeeded, failed or canceled) before `before`, with their
   * events, and says how many went. The status is checked again on the rows themselves: a job retried since
   * the subquery's snapshot is queued by the time its row lock is taken, and is left alone.
   */
  async deleteFinishedBefore(before: number, limit: number): Promise<number> {
    return this.db.transaction().execute(async (transaction) => {
      const oldest = transaction
        .selectFrom('jobs')
        .select('id')
        .where('status', 'in', finishedStatuses)
        .where('finished_at', '<', before)
        .limit(limit);
      const deleted = await transaction
        .deleteFrom('jobs')
        .where('id', 'in', oldest)
        .where('status', 'in', finishedStatuses)
        .returning('id')
        .execute();
      if (deleted.length > 0) {
        const ids = deleted.map((row) => row.id);
        await transaction.deleteFrom('job_events').where('job_id', 'in', ids).execute();
      }
      return deleted.length;
    });
  }
}
