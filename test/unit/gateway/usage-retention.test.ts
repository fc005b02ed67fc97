/**
 * Usage retention deletes what is past it in rounds (never all of a large backlog at once), keeps the rest, and
 * logs rather than throws when the database fails.
 */
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { startUsageRetention } from '../../../src/gateway/usage-retention.js';
import type { UsageRepository } from '../../../src/storage/index.js';
import { deleteRoundRows } from '../../../src/storage/retention-sweep.js';

/** A repository over a list of creation times; notes the size of each delete round. */
function fakeRepository(createdAt: number[]) {
  const rounds: number[] = [];
  const repository = {
    deleteBefore: async (before: number, limit: number) => {
      const old = createdAt.filter((time) => time < before).slice(0, limit);
      for (const time of old) createdAt.splice(createdAt.indexOf(time), 1);
      rounds.push(old.length);
      return old.length;
    },
  } as unknown as UsageRepository;
  return { repository, rounds, createdAt };
}

describe('usage retention', () => {
  it('deletes a backlog in rounds and keeps what is recent', async () => {
    const backlog = deleteRoundRows * 2 + 10;
    const { repository, rounds, createdAt } = fakeRepository([
      ...Array.from({ length: backlog }, () => 1),
      ...Array.from({ length: 5 }, () => 100),
    ]);
    const logged: unknown[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line)) });
    const stop = startUsageRetention({ repository, retentionDays: 1, logger, now: () => 86_400_050 });
    await vi.waitFor(() => expect(logged).toHaveLength(1));
    stop();
    expect(rounds).toEqual([deleteRoundRows, deleteRoundRows, 10]);
    expect(createdAt).toEqual([100, 100, 100, 100, 100]);
    expect(logged).toEqual([
      expect.objectContaining({ deleted: backlog, msg: 'deleted usage records past retention' }),
    ]);
  });

  it('sweeps at start with the configured number of days', async () => {
    const day = 86_400_000;
    const { repository, createdAt } = fakeRepository([0, 9 * day, 11 * day]);
    const stop = startUsageRetention({
      repository,
      retentionDays: 2,
      logger: pino({ enabled: false }),
      now: () => 12 * day,
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    stop();
    expect(createdAt).toEqual([11 * day]);
  });

  it('logs a failed sweep', async () => {
    const logged: unknown[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => logged.push(JSON.parse(line)) });
    const repository = {
      deleteBefore: async () => {
        throw new Error('database is locked');
      },
    } as unknown as UsageRepository;
    const stop = startUsageRetention({ repository, retentionDays: 1, logger });
    await new Promise((resolve) => setTimeout(resolve, 20));
    stop();
    expect(logged).toEqual([
      expect.objectContaining({ msg: 'could not delete usage records past retention' }),
    ]);
  });
});
