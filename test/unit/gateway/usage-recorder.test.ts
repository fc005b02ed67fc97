/**
 * UsageRecorder buffers one record per request and writes them in short writes: a flush never holds the event
 * loop for more than one chunk, a large flush still ends within a fixed number of turns, a chunk that fails is
 * logged without losing the others, and a full buffer flushes without waiting for the timer.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { flushTurns, minimumChunkRecords, UsageRecorder } from '../../../src/gateway/usage-recorder.js';
import type { UsageRecord, UsageRepository } from '../../../src/storage/index.js';

function record(index: number): UsageRecord {
  return {
    created_at: index,
    api_key_id: 'key',
    protocol: 'openai',
    requested_model: 'gpt-test',
    provider_id: 'oai',
    credential_id: 'cred',
    upstream_model: 'gpt-test',
    status: 200,
    error_kind: null,
    stream: 0,
    attempts: 1,
    latency_ms: 1,
    input_tokens: 1,
    output_tokens: 1,
  };
}

/** A repository that keeps what it is given and notes, per write, whether an immediate ran before it. */
function fakeRepository(failOnWrite?: number) {
  const writes: UsageRecord[][] = [];
  const repository = {
    insertMany: async (records: UsageRecord[]) => {
      writes.push(records);
      if (writes.length === failOnWrite) throw new Error('disk full');
    },
  } as unknown as UsageRepository;
  return { repository, writes };
}

describe('UsageRecorder', () => {
  it('writes a flush in chunks and lets other work run between them', async () => {
    const { repository, writes } = fakeRepository();
    const recorder = new UsageRecorder(repository, pino({ enabled: false }), 60_000);
    const total = minimumChunkRecords * 3 + 7;
    for (let index = 0; index < total; index++) recorder.record(record(index));

    const order: string[] = [];
    const flushed = recorder.flush().then(() => order.push('flushed'));
    setImmediate(() => order.push(`immediate after ${writes.length} writes`));
    await flushed;

    expect(writes.map((chunk) => chunk.length)).toEqual([
      minimumChunkRecords,
      minimumChunkRecords,
      minimumChunkRecords,
      7,
    ]);
    expect(writes.flat().map((row) => row.created_at)).toEqual(Array.from({ length: total }, (_, i) => i));
    // The immediate queued at the start ran before the flush finished, after the first write.
    expect(order[0]).toBe('immediate after 1 writes');
    expect(order.at(-1)).toBe('flushed');
  });

  it('spreads a large flush over a fixed number of writes, so a backlog cannot build up', async () => {
    const { repository, writes } = fakeRepository();
    const recorder = new UsageRecorder(repository, pino({ enabled: false }), 60_000, 100_000);
    const total = minimumChunkRecords * flushTurns * 4;
    for (let index = 0; index < total; index++) recorder.record(record(index));
    await recorder.flush();
    expect(writes).toHaveLength(flushTurns);
    expect(writes.every((chunk) => chunk.length === minimumChunkRecords * 4)).toBe(true);
  });

  it('logs a failed chunk and still writes the rest', async () => {
    const { repository, writes } = fakeRepository(1);
    const logged: unknown[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => logged.push(JSON.parse(line)) });
    const recorder = new UsageRecorder(repository, logger, 60_000);
    for (let index = 0; index < minimumChunkRecords * 2; index++) recorder.record(record(index));
    await recorder.flush();

    expect(writes).toHaveLength(2);
    expect(logged).toEqual([
      expect.objectContaining({ msg: 'could not write usage records', records: minimumChunkRecords }),
    ]);
  });

  it('flushes at once when the buffer is full, and on its timer otherwise', async () => {
    const { repository, writes } = fakeRepository();
    const recorder = new UsageRecorder(repository, pino({ enabled: false }), 20, 10);
    for (let index = 0; index < 10; index++) recorder.record(record(index));
    await recorder.flush();
    expect(writes.flat()).toHaveLength(10);

    recorder.record(record(10));
    expect(writes.flat()).toHaveLength(10);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(writes.flat().map((row) => row.created_at)).toContain(10);
  });
});
