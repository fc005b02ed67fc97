/**
 * What a job type provides: an input schema (checked when the job is created, so bad input is a 400
 * before anything is queued), defaults for concurrency, timeout and attempts, and `run`.
 *
 * `run` must honour `signal` (cancellation, timeout, shutdown) and may `checkpoint` a small state — such as
 * an upstream operation id — so that a job resumed after a crash continues instead of starting over.
 * A thrown AtelierError with `retryable: true` is retried with exponential backoff and jitter; anything else
 * fails the job with the error kept.
 */
import type { Logger } from 'pino';
import type * as z from 'zod';
import { AtelierError } from '../errors/index.js';

export interface JobContext<Input> {
  job: { id: string; type: string; attempt: number; maxAttempts: number; apiKeyId: string | null };
  input: Input;
  /** The last checkpoint saved by an earlier attempt of this job, if any. */
  state: unknown;
  signal: AbortSignal;
  /** Report progress: `fraction` in 0..1; persisted and published at a throttled rate. */
  progress(fraction: number | undefined, message?: string): void;
  checkpoint(state: unknown): Promise<void>;
  logger: Logger;
}

export interface JobHandlerDefaults {
  concurrency: number;
  timeoutMs: number;
  maxAttempts: number;
}

export interface JobHandler<Input = unknown, Output = unknown> {
  readonly type: string;
  readonly inputSchema: z.ZodType<Input>;
  readonly defaults: JobHandlerDefaults;
  run(context: JobContext<Input>): Promise<Output>;
}

/** Ask for another attempt after a given delay (e.g. an upstream's Retry-After), whatever the backoff says. */
export class RetryAfterError extends AtelierError {
  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message, {
      status: 503,
      kind: 'overloaded',
      code: 'retry_later',
      retryable: true,
      retryAfterMs: delayMs,
    });
  }
}

export class JobTimeoutError extends AtelierError {
  constructor(timeoutMs: number) {
    super(`The job ran longer than its ${Math.round(timeoutMs / 1000)} s timeout.`, {
      status: 504,
      kind: 'timeout',
      code: 'job_timeout',
      retryable: false,
    });
  }
}

export class JobHandlerRegistry {
  private readonly handlers = new Map<string, JobHandler>();

  register<Input, Output>(handler: JobHandler<Input, Output>): void {
    this.handlers.set(handler.type, handler as unknown as JobHandler);
  }

  get(type: string): JobHandler | undefined {
    return this.handlers.get(type);
  }

  types(): string[] {
    return [...this.handlers.keys()];
  }
}
