/**
 * The job event log writes appended events in batches: what arrives while a write is in flight goes into
 * the following writes, never more than `maximumBatch` events per statement (PostgreSQL refuses more than
 * 65,535 parameters in one), and each event is published and resolved, in the order appended, with its id.
 * Progress waiting to be written is merged: a job's newer progress replaces the older one's figure.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { JobEventLog } from '../../../src/jobs/job-event-log.js';
import { MemoryJobEventBus, type JobEvent } from '../../../src/jobs/job-events.js';
import type { JobRepository } from '../../../src/storage/index.js';

/** A repository whose writes take a while and are counted. */
function slowRepository(writeMs: number, failFirst = false) {
  const batches: number[] = [];
  let nextId = 1;
  const repository = {
    async insertEvents(rows: unknown[]): Promise<number[]> {
      batches.push(rows.length);
      await new Promise((resolve) => setTimeout(resolve, writeMs));
      if (failFirst && batches.length === 1) throw new Error('database is down');
      return rows.map(() => nextId++);
    },
  };
  return { repository: repository as unknown as JobRepository, batches };
}

/** A log over a slow repository (20 ms per write, 100 events per write at most) and a watched bus. */
function slowLog() {
  const { repository, batches } = slowRepository(20);
  const bus = new MemoryJobEventBus();
  const published: JobEvent[] = [];
  bus.subscribe((event) => published.push(event));
  return { log: new JobEventLog(repository, bus, pino({ level: 'silent' }), 3, 100), batches, published };
}

describe('JobEventLog', () => {
  it('splits a backlog into writes of at most maximumBatch, and publishes every event in order', async () => {
    const { log, batches, published } = slowLog();

    const appended: Array<Promise<JobEvent>> = [log.append('job-0', 'test.work', 'job.queued')];
    await new Promise((resolve) => setTimeout(resolve, 5)); // the first write is in flight
    for (let index = 1; index <= 1_050; index++) {
      appended.push(log.append(`job-${index}`, 'test.work', 'job.progress', { index }));
    }
    const events = await Promise.all(appended);

    expect(Math.max(...batches)).toBeLessThanOrEqual(100);
    expect(batches.reduce((sum, size) => sum + size, 0)).toBe(1_051);
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1));
    expect(published.map((event) => event.jobId)).toEqual(events.map((event) => event.jobId));
  });

  it("merges a job's progress waiting to be written, never across another of its events", async () => {
    const { log, batches, published } = slowLog();

    const first = log.append('job-a', 'test.work', 'job.started');
    await new Promise((resolve) => setTimeout(resolve, 5)); // job.started is being written
    const progress = [10, 20, 30].map((value) => log.append('job-a', 'test.work', 'job.progress', { value }));
    const other = log.append('job-b', 'test.work', 'job.progress', { value: 1 });
    const retrying = log.append('job-a', 'test.work', 'job.retrying');
    const after = [40, 50].map((value) => log.append('job-a', 'test.work', 'job.progress', { value }));
    await Promise.all([first, ...progress, other, retrying, ...after]);

    expect(published.map((event) => [event.jobId, event.type, event.data['value']])).toEqual([
      ['job-a', 'job.started', undefined],
      ['job-a', 'job.progress', 30],
      ['job-b', 'job.progress', 1],
      ['job-a', 'job.retrying', undefined],
      ['job-a', 'job.progress', 50],
    ]);
    const merged = await Promise.all(progress);
    expect(new Set(merged.map((event) => event.id)).size).toBe(1);
    expect(batches).toEqual([1, 4]);
  });

  it('rejects the events of a failed write and goes on with the next ones', async () => {
    const { repository } = slowRepository(5, true);
    const log = new JobEventLog(repository, new MemoryJobEventBus(), pino({ level: 'silent' }), 1, 10);
    const first = log.append('job-a', 'test.work', 'job.queued');
    await expect(first).rejects.toThrow('database is down');
    await expect(log.append('job-b', 'test.work', 'job.queued')).resolves.toMatchObject({ jobId: 'job-b' });
  });
});
