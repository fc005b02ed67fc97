/** Buffers one usage record per request and writes them in batches, off the request path. */
import type { Logger } from 'pino';
import type { UsageRecord, UsageRepository } from '../storage/index.js';

export class UsageRecorder {
  private buffer: UsageRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly repository: UsageRepository,
    private readonly logger: Logger,
    private readonly flushIntervalMs: number,
    private readonly maximumBuffer = 2_000,
  ) {}

  record(record: UsageRecord): void {
    this.buffer.push(record);
    if (this.buffer.length >= this.maximumBuffer) {
      void this.flush();
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.flushIntervalMs);
      this.timer.unref();
    }
  }

  /** Write everything buffered so far; resolves when it is stored. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.flushing.then(async () => {
      if (batch.length === 0) return;
      try {
        await this.repository.insertMany(batch);
      } catch (error) {
        this.logger.error({ err: error, records: batch.length }, 'could not write usage records');
      }
    });
    return this.flushing;
  }
}
