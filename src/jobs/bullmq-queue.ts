/**
 * The scaled-out driver: one BullMQ queue per job type on Redis, a Worker per type with that type's
 * concurrency in every `atelier serve` / `atelier worker` process. BullMQ carries only job ids; the runner
 * claims the job in the database before running it, so a duplicate delivery (a stalled job handed out again,
 * a re-notification) runs nothing twice. A periodic sweep re-notifies jobs whose process died.
 */
import { Queue, Worker } from 'bullmq';
import type { Logger } from 'pino';
import type { JobRepository } from '../storage/index.js';
import type { JobRunner } from './job-runner.js';
import type { QueueDriver, QueuedJob } from './queue-driver.js';

export interface BullQueueOptions {
  redisUrl: string;
  prefix: string;
  owner: string;
  leaseMs: number;
  logger: Logger;
  clock?: () => number;
}

const maximumPriority = 2_097_152; // BullMQ: 1 is the highest priority, 2^21 the lowest

export class BullQueue implements QueueDriver {
  readonly kind = 'bullmq' as const;
  private readonly queues = new Map<string, Queue>();
  private readonly workers: Worker[] = [];
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repository: JobRepository,
    private readonly options: BullQueueOptions,
  ) {}

  private connection() {
    const url = new URL(this.options.redisUrl);
    return {
      host: url.hostname,
      port: Number(url.port || 6379),
      username: url.username || undefined,
      password: url.password || undefined,
      db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
      tls: url.protocol === 'rediss:' ? {} : undefined,
      maxRetriesPerRequest: null,
    };
  }

  private queue(type: string): Queue {
    let queue = this.queues.get(type);
    if (!queue) {
      queue = new Queue(type, { connection: this.connection(), prefix: this.options.prefix });
      this.queues.set(type, queue);
    }
    return queue;
  }

  async notify(job: QueuedJob): Promise<void> {
    const clock = this.options.clock ?? Date.now;
    await this.queue(job.type).add(
      'run',
      { jobId: job.id },
      {
        // One BullMQ job per (job, due time): repeated notifications of the same retry collapse into one.
        // A recovered job gets a new one: the lost delivery may still sit "active" under its dead worker.
        jobId: job.recoveryToken ? `${job.id}.recovered.${job.recoveryToken}` : `${job.id}.${job.runAt}`,
        delay: Math.max(0, job.runAt - clock()),
        priority: Math.min(maximumPriority, Math.max(1, 1_000_000 - job.priority)),
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  async start(runner: JobRunner, concurrency: ReadonlyMap<string, number>): Promise<void> {
    const clock = this.options.clock ?? Date.now;
    for (const [type, limit] of concurrency) {
      const worker = new Worker(
        type,
        async (bullJob) => {
          const id = (bullJob.data as { jobId: string }).jobId;
          const row = await this.repository.claim({
            owner: this.options.owner,
            now: clock(),
            leaseMs: this.options.leaseMs,
            id,
          });
          if (row) await runner.execute(row);
        },
        {
          connection: this.connection(),
          prefix: this.options.prefix,
          concurrency: limit,
          autorun: true,
          // Our own lease decides who runs a job; BullMQ's lock only needs to notice dead workers as fast.
          lockDuration: this.options.leaseMs,
          stalledInterval: this.options.leaseMs,
        },
      );
      worker.on('error', (error) => this.options.logger.warn({ err: error, type }, 'queue worker error'));
      this.workers.push(worker);
    }
    await this.sweep();
    this.sweepTimer = setInterval(() => void this.sweep(), Math.max(1_000, this.options.leaseMs));
    this.sweepTimer.unref();
  }

  /** Re-announce queued jobs and jobs whose lease lapsed (their process died). */
  private async sweep(): Promise<void> {
    const clock = this.options.clock ?? Date.now;
    try {
      for (const job of await this.repository.listRecoverable(clock(), 1_000)) {
        const lapsed = job.status === 'running' && job.lease_until !== null;
        await this.notify({
          id: job.id,
          type: job.type,
          priority: job.priority,
          runAt: lapsed ? clock() : job.run_at,
          recoveryToken: lapsed ? String(job.lease_until) : undefined,
        });
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'job sweep failed');
    }
  }

  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    // Stop taking new jobs, hand running ones back, then let the workers finish their processors.
    await Promise.all(this.workers.map((worker) => worker.pause(true).catch(() => undefined)));
    await Promise.all(this.workers.map((worker) => worker.close().catch(() => undefined)));
    await Promise.all([...this.queues.values()].map((queue) => queue.close().catch(() => undefined)));
  }
}
