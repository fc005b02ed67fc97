/** How rows past their retention go: one sweep at once, then one every hour, on a timer that keeps no process alive. */
import { setImmediate } from 'node:timers/promises';
import type { Logger } from 'pino';

const sweepIntervalMs = 3_600_000;

/** Rows deleted per round: a few milliseconds of work on SQLite. */
export const deleteRoundRows = 5_000;

/** Runs `sweep` now and every hour; the returned function stops it. `sweep` handles its own failures. */
function startRetentionSweep(sweep: () => Promise<void>): () => void {
  const timer = setInterval(() => void sweep(), sweepIntervalMs);
  timer.unref();
  void sweep();
  return () => clearInterval(timer);
}

/**
 * Calls `deleteRound(limit)`, which deletes at most `limit` rows and says how many went, until a round comes
 * back short; resolves with the total. A large backlog never holds the database (or, embedded, the event
 * loop) for long: other work runs between rounds.
 */
async function deleteInRounds(deleteRound: (limit: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await deleteRound(deleteRoundRows);
    total += deleted;
    if (deleted < deleteRoundRows) return total;
    await setImmediate();
  }
}

/**
 * Starts an hourly sweep that deletes in rounds and logs how many `rows` went. A sweep that fails is logged,
 * not thrown: the next hour tries again.
 */
export function startRoundedRetentionSweep(options: {
  /** What goes, for the log: "webhook deliveries past retention". */
  rows: string;
  deleteRound: (limit: number) => Promise<number>;
  logger: Logger;
}): () => void {
  return startRetentionSweep(async () => {
    try {
      const deleted = await deleteInRounds(options.deleteRound);
      if (deleted > 0) options.logger.info({ deleted }, `deleted ${options.rows}`);
    } catch (error) {
      options.logger.error({ err: error }, `could not delete ${options.rows}`);
    }
  });
}

/**
 * Starts an hourly sweep of the rows older than `retentionDays`: `deleteBefore(before, limit)` deletes at most
 * `limit` of those created (or settled) before `before` (ms) and says how many went.
 */
export function startAgeRetentionSweep(options: {
  rows: string;
  retentionDays: number;
  deleteBefore: (before: number, limit: number) => Promise<number>;
  logger: Logger;
  now?: () => number;
}): () => void {
  const now = options.now ?? Date.now;
  return startRoundedRetentionSweep({
    rows: options.rows,
    deleteRound: (limit) => options.deleteBefore(now() - options.retentionDays * 86_400_000, limit),
    logger: options.logger,
  });
}
