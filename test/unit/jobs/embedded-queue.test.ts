/**
 * The embedded queue keeps going when the runner itself fails (the database failing while a job's failure
 * is recorded): the error is logged, nothing rejects unhandled, and the next job is claimed.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { EmbeddedQueue } from '../../../src/jobs/embedded-queue.js';
import type { JobRunner } from '../../../src/jobs/job-runner.js';
import type { JobRepository, JobRow } from '../../../src/storage/index.js';

describe('EmbeddedQueue', () => {
  it('logs a runner that throws and claims the next job', async () => {
    const due = ['job-1', 'job-2'];
    const repository = {
      releaseOrphans: async () => 0,
      claim: async () => {
        const id = due.shift();
        return id === undefined ? undefined : ({ id, type: 'test.work' } as JobRow);
      },
      nextDueAt: async () => undefined,
    } as unknown as JobRepository;
    const executed: string[] = [];
    const runner = {
      async execute(row: JobRow) {
        executed.push(row.id);
        if (row.id === 'job-1') throw new Error('database is gone');
      },
    } as unknown as JobRunner;
    const logged: Array<{ job?: string; msg?: string }> = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => logged.push(JSON.parse(line)) });
    const queue = new EmbeddedQueue(repository, {
      owner: 'test',
      leaseMs: 1_000,
      pollIntervalMs: 20,
      logger,
    });

    await queue.start(runner, new Map([['test.work', 1]]));
    const deadline = Date.now() + 2_000;
    while (executed.length < 2 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 10));
    await queue.stop();

    expect(executed).toEqual(['job-1', 'job-2']);
    expect(logged).toEqual([
      expect.objectContaining({ job: 'job-1', msg: 'could not settle a job; its lease will lapse' }),
    ]);
  });
});
