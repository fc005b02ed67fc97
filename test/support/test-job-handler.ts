/** A job type for exercising the job system: sleeps, reports progress, fails on request. */
import { z } from 'zod';
import { AtelierError } from '../../src/errors/index.js';
import { RetryAfterError, type JobHandler } from '../../src/jobs/job-handler.js';

export const testJobInput = z.object({
  label: z.string().default('x'),
  sleepMs: z.number().int().min(0).default(0),
  steps: z.number().int().min(0).default(0),
  /** Fail retryably on the first N attempts. */
  failAttempts: z.number().int().min(0).default(0),
  fatal: z.boolean().default(false),
});

export interface TestJobObservations {
  started: string[];
  aborted: string[];
  concurrent: number;
  maximumConcurrent: number;
}

export function createTestJobHandler(
  observations: TestJobObservations,
  defaults = { concurrency: 4, timeoutMs: 60_000, maxAttempts: 3 },
  type = 'test.work',
): JobHandler<z.infer<typeof testJobInput>, { label: string; attempt: number; resumedFrom: unknown }> {
  return {
    type,
    inputSchema: testJobInput,
    defaults,
    async run({ input, job, signal, progress, checkpoint, state }) {
      observations.started.push(input.label);
      observations.concurrent++;
      observations.maximumConcurrent = Math.max(observations.maximumConcurrent, observations.concurrent);
      try {
        await checkpoint({ startedAttempt: job.attempt });
        for (let step = 1; step <= input.steps; step++) {
          progress(step / input.steps, `step ${step}`);
          await sleep(input.sleepMs / Math.max(1, input.steps), signal);
        }
        if (input.steps === 0) await sleep(input.sleepMs, signal);
        if (input.fatal)
          throw new AtelierError('fatal failure on purpose', {
            status: 400,
            kind: 'invalid_request',
            code: 'fatal',
          });
        if (job.attempt <= input.failAttempts)
          throw new RetryAfterError(`transient failure ${job.attempt}`, 50);
        return { label: input.label, attempt: job.attempt, resumedFrom: state ?? null };
      } catch (error) {
        if (signal.aborted) observations.aborted.push(input.label);
        throw error;
      } finally {
        observations.concurrent--;
      }
    },
  };
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    const abort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', abort, { once: true });
  });
}

export function newObservations(): TestJobObservations {
  return { started: [], aborted: [], concurrent: 0, maximumConcurrent: 0 };
}
