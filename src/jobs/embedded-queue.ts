/**
 * The embedded driver: one process claims due jobs straight from the database, highest priority first,
 * never more than each type's concurrency at once. It wakes on notify() and on the next due time, and
 * polls as a safety net. Jobs left running by a process that died are reclaimed when their lease lapses.
 */
import type { Logger } from 'pino';
import type { JobRepository } from '../storage/index.js';
import type { JobRunner } from './job-runner.js';
import type { QueueDriver, QueuedJob } from './queue-driver.js';

export class EmbeddedQueue implements QueueDriver {
  readonly kind = 'embedded' as const;
  private runner: JobRunner | undefined;
  private concurrency: ReadonlyMap<string, number> = new Map();
  private readonly active = new Map<string, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private wake: (() => void) | undefined;
  private stopped = true;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly repository: JobRepository,
    private readonly options: {
      owner: string;
      leaseMs: number;
      pollIntervalMs: number;
      logger: Logger;
      clock?: () => number;
    },
  ) {}

  async notify(_job: QueuedJob): Promise<void> {
    this.wake?.();
  }

  async start(runner: JobRunner, concurrency: ReadonlyMap<string, number>): Promise<void> {
    this.runner = runner;
    this.concurrency = concurrency;
    this.stopped = false;
    const released = await this.repository.releaseOrphans(
      this.options.owner,
      (this.options.clock ?? Date.now)(),
    );
    if (released > 0)
      this.options.logger.warn({ jobs: released }, 'resuming jobs interrupted by a previous stop');
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
    await Promise.allSettled(this.inFlight);
  }

  private async run(): Promise<void> {
    const clock = this.options.clock ?? Date.now;
    while (!this.stopped) {
      const types = [...this.concurrency]
        .filter(([type, limit]) => (this.active.get(type) ?? 0) < limit)
        .map(([type]) => type);
      let claimed = undefined;
      if (types.length > 0) {
        try {
          claimed = await this.repository.claim({
            owner: this.options.owner,
            now: clock(),
            leaseMs: this.options.leaseMs,
            types,
          });
        } catch (error) {
          this.options.logger.error({ err: error }, 'could not claim a job');
        }
      }
      if (claimed) {
        const type = claimed.type;
        this.active.set(type, (this.active.get(type) ?? 0) + 1);
        const id = claimed.id;
        const execution = this.runner!.execute(claimed)
          // The runner settles a job's failures itself; what still escapes (the database failing while it
          // records one) leaves the job running under its lease, which lapses and hands it back.
          .catch((error: unknown) =>
            this.options.logger.error(
              { err: error, job: id },
              'could not settle a job; its lease will lapse',
            ),
          )
          .finally(() => {
            this.active.set(type, (this.active.get(type) ?? 1) - 1);
            this.inFlight.delete(execution);
            this.wake?.();
          });
        this.inFlight.add(execution);
        continue;
      }
      await this.sleep(types, clock);
    }
  }

  private async sleep(types: string[], clock: () => number): Promise<void> {
    let delay = this.options.pollIntervalMs;
    if (types.length > 0) {
      const next = await this.repository.nextDueAt(types).catch(() => undefined);
      if (next !== undefined) delay = Math.min(delay, Math.max(0, next - clock()));
    }
    if (delay === 0) delay = 10;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, delay);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}
