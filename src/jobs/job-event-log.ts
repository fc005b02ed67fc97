/**
 * Appends job events in batches (one insert per flush, not per event) and publishes each once stored,
 * so followers only ever see events that a reconnecting client could replay.
 */
import type { Logger } from 'pino';
import type { JobRepository } from '../storage/index.js';
import type { JobEvent, JobEventBus, JobEventType } from './job-events.js';

interface Pending {
  jobId: string;
  jobType: string;
  type: JobEventType;
  data: Record<string, unknown>;
  createdAt: number;
  resolve: (event: JobEvent) => void;
  reject: (error: unknown) => void;
}

export class JobEventLog {
  private pending: Pending[] = [];
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
      this.pending.push({ jobId, jobType, type, data, createdAt: this.clock(), resolve, reject });
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
      for (const item of batch) item.reject(error);
      return;
    }
    // Published in order without waiting for each: a Redis bus pipelines them on one connection.
    await Promise.all(
      batch.map((item, index) => {
        const event: JobEvent = {
          id: ids[index]!,
          jobId: item.jobId,
          jobType: item.jobType,
          type: item.type,
          data: item.data,
          createdAt: item.createdAt,
        };
        return this.bus.publish(event).then(
          () => item.resolve(event),
          (error: unknown) => {
            this.logger.warn({ err: error }, 'could not publish job event');
            item.resolve(event);
          },
        );
      }),
    );
  }
}
