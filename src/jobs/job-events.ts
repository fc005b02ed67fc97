/**
 * Job events: every state change and (throttled) progress update is appended to the job's event log in the
 * database — which gives it a stable, ordered id for SSE resumption (Last-Event-ID) — and then published on
 * the event bus to live followers in every process.
 */
export type JobEventType =
  | 'job.queued'
  | 'job.started'
  | 'job.progress'
  | 'job.retrying'
  | 'job.succeeded'
  | 'job.failed'
  | 'job.canceled';

export const terminalEventTypes: ReadonlySet<JobEventType> = new Set([
  'job.succeeded',
  'job.failed',
  'job.canceled',
]);

export interface JobEvent {
  /** Database id: increasing within a job. */
  id: number;
  jobId: string;
  jobType: string;
  type: JobEventType;
  data: Record<string, unknown>;
  createdAt: number;
}

export type JobEventListener = (event: JobEvent) => void;

/** Delivers events to followers, within one process or across many (Redis). */
export interface JobEventBus {
  publish(event: JobEvent): Promise<void>;
  subscribe(listener: JobEventListener): () => void;
  close(): Promise<void>;
}

export class MemoryJobEventBus implements JobEventBus {
  private readonly listeners = new Set<JobEventListener>();

  async publish(event: JobEvent): Promise<void> {
    for (const listener of this.listeners) listener(event);
  }

  subscribe(listener: JobEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
