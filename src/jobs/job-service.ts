/**
 * The jobs API used by routes and other services: create (validated, idempotent), read, list, cancel,
 * retry, and wait for an end. Creating or retrying a job tells the queue driver it is due.
 */
import { createHash, randomBytes } from 'node:crypto';
import { ConflictError, InvalidRequestError, NotFoundError } from '../errors/index.js';
import type { JobListFilter, JobRepository, JobRow } from '../storage/index.js';
import { terminalEventTypes, type JobEvent } from './job-events.js';
import { JobEventFanout } from './job-event-fanout.js';
import type { JobEventLog } from './job-event-log.js';
import type { JobHandlerRegistry } from './job-handler.js';
import type { QueueDriver } from './queue-driver.js';

export interface CreateJobInput {
  type: string;
  input: unknown;
  apiKeyId: string | null;
  idempotencyKey?: string;
  /** Hash of the request that asked for the job: a reused idempotency key with a different request is a 409. */
  requestFingerprint?: string;
  webhookUrl?: string;
  priority?: number;
  timeoutMs?: number;
}

export interface JobTypeSettings {
  concurrency: number;
  timeoutMs: number;
  maxAttempts: number;
}

export function newJobId(): string {
  return `job_${randomBytes(12).toString('hex')}`;
}

export function fingerprint(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(value) ?? '')
    .digest('hex');
}

export class JobService {
  constructor(
    private readonly repository: JobRepository,
    private readonly events: JobEventLog,
    private readonly handlers: JobHandlerRegistry,
    private readonly driver: QueueDriver,
    private readonly settings: (type: string) => JobTypeSettings,
    private readonly clock: () => number = Date.now,
  ) {
    this.fanout = new JobEventFanout(events.bus);
  }

  private readonly fanout: JobEventFanout;

  async create(request: CreateJobInput): Promise<{ job: JobRow; created: boolean }> {
    const handler = this.handlers.get(request.type);
    if (!handler) throw new InvalidRequestError(`Unknown job type '${request.type}'.`, 'type');
    const parsed = handler.inputSchema.safeParse(request.input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const path = issue.path.map(String).join('.');
      throw new InvalidRequestError(`${path || 'input'}: ${issue.message}`, path || undefined);
    }
    const settings = this.settings(request.type);
    const now = this.clock();
    const row: JobRow = {
      id: newJobId(),
      type: request.type,
      status: 'queued',
      priority: request.priority ?? 0,
      progress: 0,
      progress_message: null,
      input: JSON.stringify(parsed.data),
      output: null,
      error: null,
      state: null,
      attempts: 0,
      max_attempts: settings.maxAttempts,
      timeout_ms: request.timeoutMs ?? settings.timeoutMs,
      created_at: now,
      started_at: null,
      finished_at: null,
      run_at: now,
      updated_at: now,
      lease_owner: null,
      lease_until: null,
      api_key_id: request.apiKeyId,
      idempotency_key: request.idempotencyKey ?? null,
      request_hash: request.requestFingerprint ?? null,
      webhook_url: request.webhookUrl ?? null,
    };
    const result = await this.repository.insert(row);
    if (!result.created) {
      if (result.job.request_hash !== row.request_hash || result.job.type !== row.type) {
        throw new ConflictError('This Idempotency-Key was already used with a different request.');
      }
      return result;
    }
    // The queued event is appended before the driver hears of the job: appends keep their call order, so a
    // worker that starts at once still logs job.started after it. Awaited together, so a failure of either is
    // the caller's and neither rejects unhandled.
    await Promise.all([
      this.events.append(row.id, row.type, 'job.queued', {}),
      this.driver.notify({ id: row.id, type: row.type, priority: row.priority, runAt: row.run_at }),
    ]);
    return result;
  }

  async get(id: string): Promise<JobRow> {
    const job = await this.repository.get(id);
    if (!job) throw new NotFoundError(`No job with id '${id}'.`, 'job_not_found', 'id');
    return job;
  }

  list(filter: JobListFilter): Promise<JobRow[]> {
    return this.repository.list(filter);
  }

  async cancel(id: string): Promise<JobRow> {
    const job = await this.get(id);
    if (await this.repository.cancel(id, this.clock())) {
      await this.events.append(id, job.type, 'job.canceled', {});
    } else if (job.status !== 'canceled') {
      throw new ConflictError(`Job '${id}' already ended (${job.status}); it cannot be canceled.`);
    }
    return this.get(id);
  }

  async retry(id: string): Promise<JobRow> {
    const job = await this.get(id);
    if (!(await this.repository.retry(id, this.clock()))) {
      throw new ConflictError(`Job '${id}' is ${job.status}; only failed or canceled jobs can be retried.`);
    }
    await this.events.append(id, job.type, 'job.queued', { retried: true });
    await this.driver.notify({ id, type: job.type, priority: job.priority, runAt: this.clock() });
    return this.get(id);
  }

  /** Events of a job after `afterId` (for replay to a reconnecting follower). */
  eventsAfter(id: string, afterId: number) {
    return this.repository.listEvents(id, afterId);
  }

  /** Events of every job (e.g. a WebSocket following all of a key's jobs). */
  subscribe(listener: (event: JobEvent) => void): () => void {
    return this.fanout.followAll(listener);
  }

  /** Events of one job. */
  follow(jobId: string, listener: (event: JobEvent) => void): () => void {
    return this.fanout.follow(jobId, listener);
  }

  /** Resolve with the job once it reached a terminal state (or reject when `signal` aborts). */
  async waitForEnd(id: string, signal: AbortSignal, onEvent?: (event: JobEvent) => void): Promise<JobRow> {
    let wake: () => void = () => undefined;
    const unsubscribe = this.follow(id, (event) => {
      onEvent?.(event);
      if (terminalEventTypes.has(event.type)) wake();
    });
    try {
      for (;;) {
        const job = await this.get(id);
        if (job.status === 'succeeded' || job.status === 'failed' || job.status === 'canceled') return job;
        if (signal.aborted) throw signal.reason;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 5_000);
          const done = () => {
            clearTimeout(timer);
            signal.removeEventListener('abort', done);
            resolve();
          };
          wake = done;
          signal.addEventListener('abort', done, { once: true });
        });
      }
    } finally {
      unsubscribe();
    }
  }
}
