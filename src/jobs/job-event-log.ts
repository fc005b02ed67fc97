/**
 * Appends job events in batches (one insert per flush, not per event) and publishes each once stored,
 * so followers only ever see events that a reconnecting client could replay.
 *
 * Progress is the one event that comes in floods (every running job reports every few hundred ms) and the
 * one where only the latest matters. When a job's newest event still waiting to be written is a progress
 * event, a new progress event for that job replaces its data instead of queueing behind it: the backlog
 * stays within one progress event per running job however far the database falls behind, and followers get
 * the latest figure rather than a queue of stale ones.
 */
import type { Logger } from 'pino';
import type { JobRepository } from '../storage/index.js';
import type { JobEvent, JobEventBus, JobEventType } from './job-events.js';

interface Waiter {
  resolve: (event: JobEvent) => void;
  reject: (error: unknown) => void;
}

interface Pending {
  jobId: string;
  jobType: string;
  type: JobEventType;
  data: Record<string, unknown>;
  createdAt: number;
  /** Every append this event stands for: more than one when progress was merged into it. */
  waiters: Waiter[];
}

export class JobEventLog {
  private pending: Pending[] = [];
  /** Each job's newest event not yet taken for a write. */
  private readonly newestPending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly repository: JobRepository,
    readonly bus: JobEventBus,
    private readonly logger: Logger,
    /** Long enough to batch a burst, short enough not to be felt: every job waits on a few of these. */
    private readonly flushDelayMs = 3,
    private readonly maximumBatch = 500,
    private readonly clock: () => number = Date.now,
  ) {}

  append(
    jobId: string,
    jobType: string,
    type: JobEventType,
    data: Record<string, unknown> = {},
  ): Promise<JobEvent> {
    return new Promise((resolve, reject) => {
      const newest = this.newestPending.get(jobId);
      if (type === 'job.progress' && newest?.type === 'job.progress') {
        newest.data = data;
        newest.createdAt = this.clock();
        newest.waiters.push({ resolve, reject });
        return;
      }
      const item: Pending = {
        jobId,
        jobType,
        type,
        data,
        createdAt: this.clock(),
        waiters: [{ resolve, reject }],
      };
      this.pending.push(item);
      this.newestPending.set(jobId, item);
      if (this.pending.length >= this.maximumBatch) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), this.flushDelayMs);
    });
  }

  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // The batch is taken when its write starts, not when it was scheduled: while one write is in flight,
    // what is appended meanwhile goes into the next write (group commit under load), in writes of at most
    // `maximumBatch` events, so a backlog never makes one statement with more parameters than PostgreSQL takes.
    this.flushing = this.flushing.then(async () => {
      while (this.pending.length > 0) await this.write(this.pending.splice(0, this.maximumBatch));
    });
    return this.flushing;
  }

  private async write(batch: Pending[]): Promise<void> {
    for (const item of batch) {
      if (this.newestPending.get(item.jobId) === item) this.newestPending.delete(item.jobId);
    }
    let ids: number[];
    try {
      ids = await this.repository.insertEvents(
        batch.map((item) => ({
          job_id: item.jobId,
          type: item.type,
          data: JSON.stringify(item.data),
          created_at: item.createdAt,
        })),
      );
    } catch (error) {
      this.logger.error({ err: error, events: batch.length }, 'could not store job events');
      for (const item of batch) for (const waiter of item.waiters) waiter.reject(error);
      return;
    }
    // One at a time, each awaited: with a Redis bus this paces the writers (and so job creation, which waits
    // for its job.queued) to what publishing and the subscribers keep up with. Published all at once, 10,000
    // BullMQ jobs were created 40× faster and the process grew to 2.3 GB (bench/README.md, jobs, 11:13).
    for (const [index, item] of batch.entries()) {
      const event: JobEvent = {
        id: ids[index]!,
        jobId: item.jobId,
        jobType: item.jobType,
        type: item.type,
        data: item.data,
        createdAt: item.createdAt,
      };
      await this.bus
        .publish(event)
        .catch((error: unknown) => this.logger.warn({ err: error }, 'could not publish job event'));
      for (const waiter of item.waiters) waiter.resolve(event);
    }
  }
}
