/**
 * One subscription to the event bus per process, fanned out by job id: a follower of one job costs nothing
 * when other jobs' events arrive, however many followers there are.
 */
import type { JobEvent, JobEventBus, JobEventListener } from './job-events.js';

export class JobEventFanout {
  private readonly byJob = new Map<string, Set<JobEventListener>>();
  private readonly everyJob = new Set<JobEventListener>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly bus: JobEventBus) {}

  /** Events of one job. */
  follow(jobId: string, listener: JobEventListener): () => void {
    this.ensureSubscribed();
    let listeners = this.byJob.get(jobId);
    if (!listeners) {
      listeners = new Set();
      this.byJob.set(jobId, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.byJob.delete(jobId);
    };
  }

  /** Events of every job. */
  followAll(listener: JobEventListener): () => void {
    this.ensureSubscribed();
    this.everyJob.add(listener);
    return () => this.everyJob.delete(listener);
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.byJob.clear();
    this.everyJob.clear();
  }

  private ensureSubscribed(): void {
    this.unsubscribe ??= this.bus.subscribe((event: JobEvent) => {
      const listeners = this.byJob.get(event.jobId);
      if (listeners) for (const listener of listeners) listener(event);
      for (const listener of this.everyJob) listener(event);
    });
  }
}
