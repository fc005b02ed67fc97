/**
 * Runs one claimed job to its end in this process: renews the lease while it works, throttles progress,
 * applies the timeout, listens for cancellation (from any process, through the event bus), and records
 * exactly one outcome — succeeded, failed, or queued again for a retry.
 */
import type { Logger } from 'pino';
import { AtelierError, toAtelierError } from '../errors/index.js';
import type { JobRepository, JobRow } from '../storage/index.js';
import { backoffDelay } from './backoff.js';
import type { JobEventLog } from './job-event-log.js';
import type { JobHandlerRegistry } from './job-handler.js';
import { JobTimeoutError, RetryAfterError } from './job-handler.js';

export interface JobRunnerOptions {
  repository: JobRepository;
  events: JobEventLog;
  handlers: JobHandlerRegistry;
  /** This process's identity in leases. */
  owner: string;
  leaseMs: number;
  logger: Logger;
  /** A retry is due now: tell the queue driver. */
  onRequeued: (job: { id: string; type: string; priority: number; runAt: number }) => void;
  progressIntervalMs?: number;
  clock?: () => number;
  random?: () => number;
}

class ShutdownSignal extends Error {}

export class JobRunner {
  private readonly running = new Map<string, AbortController>();
  private stopping = false;
  private readonly unsubscribe: () => void;
  private readonly clock: () => number;

  constructor(private readonly options: JobRunnerOptions) {
    this.clock = options.clock ?? Date.now;
    this.unsubscribe = options.events.bus.subscribe((event) => {
      if (event.type === 'job.canceled') this.running.get(event.jobId)?.abort(new Error('job canceled'));
    });
  }

  get active(): number {
    return this.running.size;
  }

  /** Hand running jobs back to the queue (graceful shutdown); they resume elsewhere or after restart. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    this.unsubscribe();
    for (const controller of this.running.values()) controller.abort(new ShutdownSignal('shutting down'));
  }

  async execute(row: JobRow): Promise<void> {
    const { repository, events, owner, leaseMs, logger } = this.options;
    const handler = this.options.handlers.get(row.type);
    const log = logger.child({ job: row.id, type: row.type });
    if (!handler) {
      await this.fail(
        row,
        new AtelierError(`No handler for job type '${row.type}' in this process.`, {
          status: 500,
          kind: 'internal',
        }),
      );
      return;
    }
    if (row.attempts > row.max_attempts) {
      await this.fail(
        row,
        new AtelierError(
          `The job was interrupted ${row.max_attempts} times (the process running it stopped).`,
          { status: 500, kind: 'internal', code: 'attempts_exhausted' },
        ),
      );
      return;
    }
    const controller = new AbortController();
    if (this.stopping) controller.abort(new ShutdownSignal('shutting down'));
    this.running.set(row.id, controller);
    const timeoutMs = row.timeout_ms ?? handler.defaults.timeoutMs;
    const timeout = setTimeout(() => controller.abort(new JobTimeoutError(timeoutMs)), timeoutMs);
    const heartbeat = setInterval(
      () => {
        void repository.renewLease(row.id, owner, this.clock() + leaseMs).then(
          (held) => {
            if (!held) controller.abort(new Error('lease lost'));
          },
          (error: unknown) => log.warn({ err: error }, 'could not renew lease'),
        );
      },
      Math.max(250, Math.floor(leaseMs / 3)),
    );
    const progress = this.progressReporter(row);
    events
      .append(row.id, row.type, 'job.started', { attempt: row.attempts })
      .catch((error: unknown) => log.warn({ err: error }, 'could not record job.started'));
    try {
      const input = handler.inputSchema.parse(JSON.parse(row.input));
      const output = await handler.run({
        job: {
          id: row.id,
          type: row.type,
          attempt: row.attempts,
          maxAttempts: row.max_attempts,
          apiKeyId: row.api_key_id,
        },
        input,
        state: row.state === null ? undefined : JSON.parse(row.state),
        signal: controller.signal,
        progress: progress.report,
        checkpoint: async (state) => {
          if (!(await repository.saveState(row.id, owner, JSON.stringify(state), this.clock()))) {
            throw controller.signal.reason ?? new Error('job no longer held');
          }
        },
        logger: log,
      });
      if (controller.signal.aborted) throw controller.signal.reason;
      await progress.flush();
      const stored = await repository.finish({
        id: row.id,
        owner,
        status: 'succeeded',
        output: JSON.stringify(output ?? null),
        now: this.clock(),
      });
      if (stored) await events.append(row.id, row.type, 'job.succeeded', { output });
    } catch (error) {
      await progress.flush();
      const reason = controller.signal.aborted ? controller.signal.reason : error;
      await this.settleFailure(row, reason, log);
    } finally {
      clearTimeout(timeout);
      clearInterval(heartbeat);
      this.running.delete(row.id);
    }
  }

  private async settleFailure(row: JobRow, reason: unknown, log: Logger): Promise<void> {
    const { repository, events, owner } = this.options;
    const now = this.clock();
    if (reason instanceof ShutdownSignal) {
      if (await repository.requeue({ id: row.id, owner, runAt: now, now, refundAttempt: true })) {
        log.info('handed back to the queue at shutdown');
      }
      return;
    }
    const current = await repository.get(row.id);
    if (current?.status !== 'running' || current.lease_owner !== owner) return; // canceled or taken over
    const failure = toAtelierError(reason);
    if (failure.retryable && row.attempts < row.max_attempts) {
      const delay =
        reason instanceof RetryAfterError ? reason.delayMs : backoffDelay(row.attempts, this.options.random);
      const runAt = now + delay;
      if (
        await repository.requeue({ id: row.id, owner, runAt, error: JSON.stringify(describe(failure)), now })
      ) {
        await events.append(row.id, row.type, 'job.retrying', {
          attempt: row.attempts,
          retry_at: runAt,
          error: describe(failure),
        });
        this.options.onRequeued({ id: row.id, type: row.type, priority: row.priority, runAt });
      }
      return;
    }
    if (failure.kind === 'internal') log.error({ err: failure.cause ?? failure }, 'job failed');
    await this.fail(row, failure);
  }

  private async fail(row: JobRow, failure: AtelierError): Promise<void> {
    const error = describe(failure);
    const stored = await this.options.repository.finish({
      id: row.id,
      owner: this.options.owner,
      status: 'failed',
      error: JSON.stringify(error),
      now: this.clock(),
    });
    if (stored) await this.options.events.append(row.id, row.type, 'job.failed', { error });
  }

  private progressReporter(row: JobRow) {
    const interval = this.options.progressIntervalMs ?? 500;
    let latest: { fraction: number; message: string | null } | undefined;
    let lastSent = 0;
    let sentFraction = row.progress;
    let timer: NodeJS.Timeout | undefined;
    const send = async () => {
      timer = undefined;
      if (!latest) return;
      const { fraction, message } = latest;
      latest = undefined;
      lastSent = this.clock();
      sentFraction = fraction;
      await this.options.repository.saveProgress(row.id, this.options.owner, fraction, message, lastSent);
      await this.options.events.append(row.id, row.type, 'job.progress', {
        progress: Math.round(fraction * 1000) / 10,
        message,
      });
    };
    return {
      report: (fraction: number | undefined, message?: string) => {
        const clamped = fraction === undefined ? sentFraction : Math.min(1, Math.max(0, fraction));
        latest = { fraction: clamped, message: message ?? null };
        if (timer) return;
        const wait = Math.max(0, lastSent + interval - this.clock());
        timer = setTimeout(() => void send().catch(() => undefined), wait);
      },
      flush: async () => {
        if (timer) clearTimeout(timer);
        await send().catch(() => undefined);
      },
    };
  }
}

export function describe(error: AtelierError): { message: string; type: string; code: string | null } {
  return { message: error.message, type: error.kind, code: error.code ?? null };
}
