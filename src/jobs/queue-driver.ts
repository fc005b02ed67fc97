/**
 * Who runs which job, when. The database holds every job's state; a driver only hands due jobs to a
 * JobRunner within per-type concurrency limits. Two drivers: embedded (one process, polling the database)
 * and BullMQ (any number of processes, Redis).
 */
import type { JobRunner } from './job-runner.js';

export interface QueuedJob {
  id: string;
  type: string;
  priority: number;
  runAt: number;
  /** Set when re-announcing a job whose process died: tells this delivery apart from the lost one. */
  recoveryToken?: string;
}

export interface QueueDriver {
  readonly kind: 'embedded' | 'bullmq';
  /** A job became due at `runAt` (created, retried, recovered): make sure a worker will take it. */
  notify(job: QueuedJob): Promise<void>;
  /** Start taking jobs of these types (with their concurrency) and running them with `runner`. */
  start(runner: JobRunner, concurrency: ReadonlyMap<string, number>): Promise<void>;
  /** Stop taking jobs; running ones are handed back by the runner. */
  stop(): Promise<void>;
}
