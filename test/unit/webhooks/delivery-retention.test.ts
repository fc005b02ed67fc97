/**
 * Delivery retention deletes what settled before the configured number of days, in rounds (never all of a
 * large backlog at once), keeps the rest, and logs rather than throws when the database fails.
 */
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { deleteRoundRows } from '../../../src/storage/retention-sweep.js';
import { startDeliveryRetention } from '../../../src/webhooks/delivery-retention.js';

const day = 86_400_000;

/** A repository over a list of settle times of finished deliveries; notes each round's size and cutoff. */
function fakeRepository(settledAt: number[]) {
  const rounds: Array<{ before: number; deleted: number }> = [];
  const repository = {
    deleteFinishedBefore: async (before: number, limit: number) => {
      const old = settledAt.filter((time) => time < before).slice(0, limit);
      for (const time of old) settledAt.splice(settledAt.indexOf(time), 1);
      rounds.push({ before, deleted: old.length });
      return old.length;
    },
  };
  return { repository, rounds, settledAt };
}

describe('webhook delivery retention', () => {
  it('sweeps at start, in rounds, everything settled more than the configured days ago', async () => {
    const backlog = deleteRoundRows * 2 + 10;
    const { repository, rounds, settledAt } = fakeRepository([
      ...Array.from({ length: backlog }, () => 0),
      9 * day,
      11 * day,
    ]);
    const logged: unknown[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line)) });
    const stop = startDeliveryRetention({ repository, retentionDays: 2, logger, now: () => 12 * day });
    await vi.waitFor(() => expect(logged).toHaveLength(1));
    stop();
    expect(rounds).toEqual([
      { before: 10 * day, deleted: deleteRoundRows },
      { before: 10 * day, deleted: deleteRoundRows },
      { before: 10 * day, deleted: 11 },
    ]);
    expect(settledAt).toEqual([11 * day]);
    expect(logged).toEqual([
      expect.objectContaining({ deleted: backlog + 1, msg: 'deleted webhook deliveries past retention' }),
    ]);
  });

  it('logs a failed sweep', async () => {
    const logged: unknown[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => logged.push(JSON.parse(line)) });
    const repository = {
      deleteFinishedBefore: async () => {
        throw new Error('database is locked');
      },
    };
    const stop = startDeliveryRetention({ repository, retentionDays: 1, logger });
    await vi.waitFor(() => expect(logged).toHaveLength(1));
    stop();
    expect(logged).toEqual([
      expect.objectContaining({ msg: 'could not delete webhook deliveries past retention' }),
    ]);
  });
});
