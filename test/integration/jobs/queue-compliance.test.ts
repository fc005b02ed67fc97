/**
 * One compliance suite, every queue driver: embedded (SQLite, PostgreSQL) and BullMQ on Redis.
 * Each case builds a fresh job system with its own database and Redis prefix.
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfiguration } from '../../../src/config/index.js';
import type { JobEvent } from '../../../src/jobs/job-events.js';
import { createJobSystem, type JobSystem } from '../../../src/jobs/job-system.js';
import { openDatabase, type OpenedDatabase } from '../../../src/storage/index.js';
import { createTestDatabase, isPostgresAvailable, type TestDatabase } from '../../support/databases.js';
import { deleteRedisPrefix, isRedisAvailable, redisUrl } from '../../support/redis.js';
import {
  createTestJobHandler,
  newObservations,
  sleep,
  type TestJobObservations,
} from '../../support/test-job-handler.js';

const postgres = await isPostgresAvailable();
const redis = await isRedisAvailable();

const variants = [
  { name: 'embedded on SQLite', database: 'sqlite', bull: false, available: true },
  { name: 'embedded on PostgreSQL', database: 'postgres', bull: false, available: postgres },
  { name: 'BullMQ on PostgreSQL', database: 'postgres', bull: true, available: postgres && redis },
  { name: 'BullMQ on SQLite', database: 'sqlite', bull: true, available: redis },
] as const;

interface Running {
  system: JobSystem;
  observations: TestJobObservations;
  events: JobEvent[];
  database: OpenedDatabase;
  testDatabase: TestDatabase;
  prefix: string;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe.each(variants)('queue: $name', (variant) => {
  async function start(
    options: {
      concurrency?: number;
      maxAttempts?: number;
      timeoutMs?: number;
      reuse?: Running;
      startWorkers?: boolean;
    } = {},
  ): Promise<Running> {
    const testDatabase = options.reuse?.testDatabase ?? (await createTestDatabase(variant.database));
    const prefix = options.reuse?.prefix ?? `atelier-test-${randomBytes(4).toString('hex')}`;
    const database = await openDatabase({ url: testDatabase.url, dataDir: testDatabase.dataDir });
    const configuration = parseConfiguration(
      { jobs: { lease_ms: 1_000, poll_interval_ms: 100, redis_prefix: prefix } },
      'test',
    );
    const system = await createJobSystem({
      db: database.db,
      configuration: configuration.jobs,
      redisUrl: variant.bull ? redisUrl : undefined,
      logger: pino({ level: 'silent' }),
    });
    const observations = newObservations();
    system.handlers.register(
      createTestJobHandler(observations, {
        concurrency: options.concurrency ?? 4,
        timeoutMs: options.timeoutMs ?? 30_000,
        maxAttempts: options.maxAttempts ?? 3,
      }),
    );
    const events: JobEvent[] = [];
    system.service.subscribe((event) => events.push(event));
    if (options.startWorkers !== false) await system.startWorkers();
    const running = { system, observations, events, database, testDatabase, prefix };
    cleanups.push(async () => {
      await system.stop();
      await database.close();
      if (!options.reuse) {
        await testDatabase.drop();
        if (variant.bull) await deleteRedisPrefix(prefix);
      }
    });
    return running;
  }

  async function waitFor(running: Running, id: string, timeoutMs = 15_000) {
    return running.system.service.waitForEnd(id, AbortSignal.timeout(timeoutMs));
  }

  it.skipIf(!variant.available)('runs a job to success, with progress and ordered events', async () => {
    const running = await start();
    const { job } = await running.system.service.create({
      type: 'test.work',
      input: { label: 'a', steps: 4, sleepMs: 400 },
      apiKeyId: null,
    });
    expect(job.status).toBe('queued');
    const done = await waitFor(running, job.id);
    expect(done.status).toBe('succeeded');
    expect(JSON.parse(done.output!)).toMatchObject({ label: 'a', attempt: 1 });
    expect(done.progress).toBe(1);
    const stored = await running.system.service.eventsAfter(job.id, 0);
    const types = stored.map((event) => event.type);
    expect(types[0]).toBe('job.queued');
    expect(types[1]).toBe('job.started');
    expect(types.at(-1)).toBe('job.succeeded');
    expect(types.filter((type) => type === 'job.progress').length).toBeGreaterThanOrEqual(1);
    expect(stored.map((event) => event.id)).toEqual(
      [...stored.map((event) => event.id)].sort((a, b) => a - b),
    );
    const progress = stored
      .filter((event) => event.type === 'job.progress')
      .map((event) => JSON.parse(event.data).progress as number);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it.skipIf(!variant.available)('retries transient failures, then succeeds', async () => {
    const running = await start();
    const { job } = await running.system.service.create({
      type: 'test.work',
      input: { label: 'flaky', failAttempts: 2 },
      apiKeyId: null,
    });
    const done = await waitFor(running, job.id);
    expect(done.status).toBe('succeeded');
    expect(done.attempts).toBe(3);
    const types = (await running.system.service.eventsAfter(job.id, 0)).map((event) => event.type);
    expect(types.filter((type) => type === 'job.retrying')).toHaveLength(2);
  });

  it.skipIf(!variant.available)(
    'fails for good on a fatal error or when attempts run out, keeping the error',
    async () => {
      const running = await start({ maxAttempts: 2 });
      const fatal = await running.system.service.create({
        type: 'test.work',
        input: { label: 'fatal', fatal: true },
        apiKeyId: null,
      });
      const exhausted = await running.system.service.create({
        type: 'test.work',
        input: { label: 'tired', failAttempts: 5 },
        apiKeyId: null,
      });
      const fatalDone = await waitFor(running, fatal.job.id);
      expect(fatalDone.status).toBe('failed');
      expect(fatalDone.attempts).toBe(1);
      expect(JSON.parse(fatalDone.error!)).toMatchObject({
        message: 'fatal failure on purpose',
        code: 'fatal',
      });
      const exhaustedDone = await waitFor(running, exhausted.job.id);
      expect(exhaustedDone.status).toBe('failed');
      expect(exhaustedDone.attempts).toBe(2);
    },
  );

  it.skipIf(!variant.available)(
    'cancels a running job: the handler is aborted and one terminal state is kept',
    async () => {
      const running = await start();
      const { job } = await running.system.service.create({
        type: 'test.work',
        input: { label: 'long', sleepMs: 20_000 },
        apiKeyId: null,
      });
      await expect.poll(() => running.observations.started, { timeout: 10_000 }).toContain('long');
      const canceled = await running.system.service.cancel(job.id);
      expect(canceled.status).toBe('canceled');
      await expect.poll(() => running.observations.aborted, { timeout: 5_000 }).toContain('long');
      await sleep(300);
      const after = await running.system.service.get(job.id);
      expect(after.status).toBe('canceled');
      const terminal = (await running.system.service.eventsAfter(job.id, 0)).filter((event) =>
        ['job.succeeded', 'job.failed', 'job.canceled'].includes(event.type),
      );
      expect(terminal.map((event) => event.type)).toEqual(['job.canceled']);
      await expect(running.system.service.cancel(job.id)).resolves.toMatchObject({ status: 'canceled' });
    },
  );

  it.skipIf(!variant.available)(
    'cancels a queued job before it runs, and retries it on request',
    async () => {
      const running = await start({ startWorkers: false });
      const { job } = await running.system.service.create({
        type: 'test.work',
        input: { label: 'later' },
        apiKeyId: null,
      });
      await running.system.service.cancel(job.id);
      await running.system.startWorkers();
      await sleep(300);
      expect(running.observations.started).not.toContain('later');
      const retried = await running.system.service.retry(job.id);
      expect(['queued', 'running', 'succeeded']).toContain(retried.status);
      expect((await waitFor(running, job.id)).status).toBe('succeeded');
      await expect(running.system.service.retry(job.id)).rejects.toThrow(/only failed or canceled/);
    },
  );

  it.skipIf(!variant.available)('respects the per-type concurrency limit', async () => {
    const running = await start({ concurrency: 2 });
    const jobs = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        running.system.service.create({
          type: 'test.work',
          input: { label: `c${index}`, sleepMs: 200 },
          apiKeyId: null,
        }),
      ),
    );
    for (const { job } of jobs) expect((await waitFor(running, job.id)).status).toBe('succeeded');
    expect(running.observations.maximumConcurrent).toBe(2);
  });

  it.skipIf(!variant.available)('runs higher priority first', async () => {
    const running = await start({ concurrency: 1, startWorkers: false });
    const low = await running.system.service.create({
      type: 'test.work',
      input: { label: 'low' },
      apiKeyId: null,
      priority: 0,
    });
    const high = await running.system.service.create({
      type: 'test.work',
      input: { label: 'high' },
      apiKeyId: null,
      priority: 10,
    });
    await running.system.startWorkers();
    await waitFor(running, low.job.id);
    await waitFor(running, high.job.id);
    expect(running.observations.started).toEqual(['high', 'low']);
  });

  it.skipIf(!variant.available)(
    'returns the same job for the same Idempotency-Key, 409 for a different request',
    async () => {
      const running = await start();
      const first = await running.system.service.create({
        type: 'test.work',
        input: { label: 'once' },
        apiKeyId: 'k1',
        idempotencyKey: 'abc',
        requestFingerprint: 'h1',
      });
      const second = await running.system.service.create({
        type: 'test.work',
        input: { label: 'once' },
        apiKeyId: 'k1',
        idempotencyKey: 'abc',
        requestFingerprint: 'h1',
      });
      expect(second.created).toBe(false);
      expect(second.job.id).toBe(first.job.id);
      await expect(
        running.system.service.create({
          type: 'test.work',
          input: { label: 'other' },
          apiKeyId: 'k1',
          idempotencyKey: 'abc',
          requestFingerprint: 'h2',
        }),
      ).rejects.toThrow(/Idempotency-Key/);
      const otherKey = await running.system.service.create({
        type: 'test.work',
        input: { label: 'once' },
        apiKeyId: 'k2',
        idempotencyKey: 'abc',
        requestFingerprint: 'h1',
      });
      expect(otherKey.job.id).not.toBe(first.job.id);
      await waitFor(running, first.job.id);
      await waitFor(running, otherKey.job.id);
      expect(running.observations.started.filter((label) => label === 'once')).toHaveLength(2);
    },
  );

  it.skipIf(!variant.available)('fails a job that outlives its timeout', async () => {
    const running = await start({ timeoutMs: 300 });
    const { job } = await running.system.service.create({
      type: 'test.work',
      input: { label: 'slow', sleepMs: 5_000 },
      apiKeyId: null,
    });
    const done = await waitFor(running, job.id);
    expect(done.status).toBe('failed');
    expect(JSON.parse(done.error!)).toMatchObject({ code: 'job_timeout' });
  });

  it.skipIf(!variant.available)('resumes a job whose process died, with its checkpoint', async () => {
    const first = await start({ startWorkers: false });
    const { job } = await first.system.service.create({
      type: 'test.work',
      input: { label: 'orphan' },
      apiKeyId: null,
    });
    // What a process killed mid-job leaves behind: running, leased to a dead owner, with a checkpoint.
    await first.database.db
      .updateTable('jobs')
      .set({
        status: 'running',
        attempts: 1,
        lease_owner: 'dead-host:1:abc',
        lease_until: Date.now() - 1,
        state: JSON.stringify({ step: 7 }),
      })
      .where('id', '=', job.id)
      .execute();
    const second = await start({ reuse: first });
    const done = await waitFor(second, job.id);
    expect(done.status).toBe('succeeded');
    expect(JSON.parse(done.output!)).toMatchObject({ attempt: 2, resumedFrom: { step: 7 } });
  });

  // The retention sweep is the repository's, whichever driver runs the jobs: checked once per database.
  if (!variant.bull) {
    it.skipIf(!variant.available)(
      'deletes finished jobs past retention in rounds, with their events, and keeps the rest',
      async () => {
        const running = await start({ startWorkers: false });
        const create = async (label: string) =>
          (await running.system.service.create({ type: 'test.work', input: { label }, apiKeyId: null })).job
            .id;
        const finished = [await create('a'), await create('b'), await create('c')];
        const queued = await create('d');
        for (const id of finished) await running.system.service.cancel(id);
        const eventsOf = async (ids: string[]) =>
          (
            await running.database.db
              .selectFrom('job_events')
              .select('job_id')
              .where('job_id', 'in', ids)
              .execute()
          ).length;
        expect(await eventsOf(finished)).toBeGreaterThan(0);

        const repository = running.system.repository;
        expect(await repository.deleteFinishedBefore(Date.now() - 60_000, 10)).toBe(0);
        const before = Date.now() + 1;
        expect(await repository.deleteFinishedBefore(before, 2)).toBe(2);
        expect(await repository.deleteFinishedBefore(before, 2)).toBe(1);
        expect(await repository.deleteFinishedBefore(before, 2)).toBe(0);

        expect(await eventsOf(finished)).toBe(0);
        const left = await running.system.service.list({ limit: 10 });
        expect(left.map((job) => job.id)).toEqual([queued]);
        expect(await eventsOf([queued])).toBeGreaterThan(0);
      },
    );
  }

  it.skipIf(!variant.available)('lists jobs with filters and cursor pagination', async () => {
    const running = await start({ startWorkers: false });
    const ids = [];
    for (let index = 0; index < 5; index++) {
      ids.push(
        (
          await running.system.service.create({
            type: 'test.work',
            input: { label: `l${index}` },
            apiKeyId: null,
          })
        ).job.id,
      );
      await sleep(2);
    }
    await running.system.service.cancel(ids[0]!);
    const page1 = await running.system.service.list({ limit: 2 });
    expect(page1.map((job) => job.id)).toEqual([ids[4], ids[3]]);
    const page2 = await running.system.service.list({ limit: 2, after: page1[1]!.id });
    expect(page2.map((job) => job.id)).toEqual([ids[2], ids[1]]);
    const canceled = await running.system.service.list({ limit: 10, status: ['canceled'] });
    expect(canceled.map((job) => job.id)).toEqual([ids[0]]);
  });
});
