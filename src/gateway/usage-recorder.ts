/** Buffers one usage record per request and writes them in batches, off the request path. */
import { setImmediate } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { UsageRecord, UsageRepository } from '../storage/index.js';

/**
 * Embedded, a write runs on the event loop (about 0.35 ms for 100 rows on SQLite), so a flush is cut into
 * writes with requests served in between: at least `minimumChunkRecords` rows each (smaller commits only add
 * WAL frames, and so checkpoints, whose fsync stalls the loop for ~4 ms), and no more than `flushTurns` of them,
 * so a flush ends within that many turns of the event loop however busy it is (a fixed chunk caps the rows
 * written per turn, and under saturation the backlog would grow).
 */
export const minimumChunkRecords = 100;
export const flushTurns = 20;

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
      const chunkRecords = Math.max(minimumChunkRecords, Math.ceil(batch.length / flushTurns));
      for (let index = 0; index < batch.length; index += chunkRecords) {
        // An embedded (SQLite) write blocks the event loop while it runs: let requests through between chunks.
        if (index > 0) await setImmediate();
        const chunk = batch.slice(index, index + chunkRecords);
        try {
          await this.repository.insertMany(chunk);
        } catch (error) {
          this.logger.error({ err: error, records: chunk.length }, 'could not write usage records');
        }
      }
    });
    return this.flushing;
  }
}
