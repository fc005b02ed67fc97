/**
 * The delivery loop of one process: claim due deliveries (never more than `concurrency` in flight), send
 * each once, log the attempt and settle the delivery — delivered, due again after a backoff, or failed
 * after the last attempt. It wakes on a timer (deliveries due from other processes or after a backoff) and
 * whenever this process enqueues something or finishes a send.
 *
 * A process that dies mid-send leaves its claim to lapse; the delivery then becomes due again and is sent
 * once more — at least once, with the same `webhook-id`, so receivers can drop the duplicate.
 */
import type { Logger } from 'pino';
import type {
  ClaimedDelivery,
  DeliveryOutcome,
  WebhookDeliveryRow,
  WebhookRepository,
} from '../storage/repositories/webhook-repository.js';
import { retryDelay } from './retry-schedule.js';
import type { AttemptResult, WebhookMessage } from './webhook-sender.js';

/** The secrets to sign a delivery with, or why it can no longer be sent (its subscription is gone). */
export type SecretResolution = { secrets: string[] } | { refused: string };

export interface DeliveryWorkerOptions {
  repository: WebhookRepository;
  resolveSecrets(delivery: WebhookDeliveryRow): Promise<SecretResolution>;
  send(message: WebhookMessage): Promise<AttemptResult>;
  maxAttempts: number;
  retrySchedule: readonly number[];
  /** How long a claim holds a delivery: longer than one attempt can take. */
  leaseMs: number;
  concurrency: number;
  pollIntervalMs: number;
  clock: () => number;
  random: () => number;
  logger: Logger;
}

export class DeliveryWorker {
  private running = false;
  private pollTimer: NodeJS.Timeout | undefined;
  private claiming: Promise<void> | undefined;
  private claimAgain = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly options: DeliveryWorkerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.pollTimer = setInterval(() => this.wake(), this.options.pollIntervalMs);
    this.pollTimer.unref();
    this.wake();
  }

  /** Look for due deliveries now. */
  wake(): void {
    if (!this.running) return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    this.claiming = this.claimWhileDue()
      .catch((error: unknown) =>
        this.options.logger.error({ err: error }, 'could not claim webhook deliveries'),
      )
      .finally(() => {
        this.claiming = undefined;
      });
  }

  /** Stop claiming and wait for the sends in flight (each bounded by its timeout). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.pollTimer) clearInterval(this.pollTimer);
    await this.claiming;
    await Promise.all([...this.inFlight]);
  }

  private async claimWhileDue(): Promise<void> {
    const { repository, clock, leaseMs, concurrency } = this.options;
    do {
      this.claimAgain = false;
      const free = concurrency - this.inFlight.size;
      if (free <= 0) return; // a finishing send wakes the loop again
      const claims = await repository.claimDue({ now: clock(), leaseMs, limit: free });
      for (const claim of claims) this.track(this.deliver(claim));
      if (claims.length === free) this.claimAgain = true;
    } while (this.claimAgain && this.running);
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => {
      this.inFlight.delete(work);
      this.wake();
    });
  }

  private async deliver(claim: ClaimedDelivery): Promise<void> {
    const { repository, logger } = this.options;
    const { delivery } = claim;
    const log = logger.child({ delivery_id: delivery.id, url: delivery.url });
    try {
      const resolution = await this.options.resolveSecrets(delivery);
      if ('refused' in resolution) {
        await repository.settle(claim, null, { status: 'failed' }, resolution.refused);
        log.warn({ reason: resolution.refused }, 'webhook delivery dropped');
        return;
      }
      const attemptedAt = this.options.clock();
      const result = await this.options.send({
        id: delivery.id,
        url: delivery.url,
        payload: delivery.payload,
        secrets: resolution.secrets,
      });
      const attempts = delivery.attempts + 1;
      const outcome = this.outcomeOf(result, attempts);
      const attempt = {
        attemptedAt,
        statusCode: result.statusCode,
        error: result.error,
        durationMs: result.durationMs,
      };
      if (!(await repository.settle(claim, attempt, outcome, result.error))) {
        log.warn('webhook delivery was taken over by another process before its attempt was recorded');
      } else if (outcome.status === 'failed') {
        log.warn({ attempts, error: result.error }, 'webhook delivery failed for good');
      } else if (outcome.status === 'pending') {
        log.info(
          { attempts, error: result.error, next_attempt_at: outcome.nextAttemptAt },
          'webhook attempt failed',
        );
      }
    } catch (error) {
      // The claim lapses and another pass retries the delivery.
      log.error({ err: error }, 'webhook delivery attempt could not be completed');
    }
  }

  private outcomeOf(result: AttemptResult, attempts: number): DeliveryOutcome {
    const now = this.options.clock();
    if (result.delivered) return { status: 'delivered', deliveredAt: now };
    if (result.permanent || attempts >= this.options.maxAttempts) return { status: 'failed' };
    const delay = retryDelay({
      attempts,
      schedule: this.options.retrySchedule,
      retryAfterMs: result.retryAfterMs,
      random: this.options.random,
    });
    return { status: 'pending', nextAttemptAt: now + delay };
  }
}
