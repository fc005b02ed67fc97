/**
 * An age-based retention sweep deletes at start, in rounds (never all of a large backlog at once), what is
 * older than the configured number of days, keeps the rest, and logs rather than throws when the database
 * fails. Usage records, webhook deliveries and finished jobs all go this way.
 */
import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { deleteRoundRows, startAgeRetentionSweep } from '../../../src/storage/retention-sweep.js';

const day = 86_400_000;

/** Rows known by their age; notes each round's cutoff and size. */
function fakeTable(times: number[]) {
  const rounds: Array<{ before: number; deleted: number }> = [];
  const deleteBefore = async (before: number, limit: number) => {
    const old = times.filter((time) => time < before).slice(0, limit);
    for (const time of old) times.splice(times.indexOf(time), 1);
    rounds.push({ before, deleted: old.length });
    return old.length;
  };
  return { deleteBefore, rounds, times };
}

function capture(level: 'info' | 'error') {
  const logged: unknown[] = [];
  const logger = pino({ level }, { write: (line: string) => logged.push(JSON.parse(line)) });
  return { logged, logger };
}

describe('age retention sweep', () => {
  it('deletes at start, in rounds, everything older than the configured days', async () => {
    const backlog = deleteRoundRows * 2 + 10;
    const { deleteBefore, rounds, times } = fakeTable([
      ...Array.from({ length: backlog }, () => 0),
      9 * day,
      11 * day,
    ]);
    const { logged, logger } = capture('info');
    const stop = startAgeRetentionSweep({
      rows: 'usage records past retention',
      retentionDays: 2,
      deleteBefore,
      logger,
      now: () => 12 * day,
    });
    await vi.waitFor(() => expect(logged).toHaveLength(1));
    stop();
    expect(rounds).toEqual([
      { before: 10 * day, deleted: deleteRoundRows },
      { before: 10 * day, deleted: deleteRoundRows },
      { before: 10 * day, deleted: 11 },
    ]);
    expect(times).toEqual([11 * day]);
    expect(logged).toEqual([
      expect.objectContaining({ deleted: backlog + 1, msg: 'deleted usage records past retention' }),
    ]);
  });

  it('logs a failed sweep', async () => {
    const { logged, logger } = capture('error');
    const stop = startAgeRetentionSweep({
      rows: 'webhook deliveries past retention',
      retentionDays: 1,
      deleteBefore: async () => {
        throw new Error('database is locked');
      },
      logger,
    });
    await vi.waitFor(() => expect(logged).toHaveLength(1));
    stop();
    expect(logged).toEqual([
      expect.objectContaining({ msg: 'could not delete webhook deliveries past retention' }),
    ]);
  });
});
