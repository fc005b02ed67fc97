/** Deletes usage records past their retention, at start and every hour, in rounds that yield between them. */
import { setImmediate } from 'node:timers/promises';
import type { Logger } from 'pino';
import { startRetentionSweep, type UsageRepository } from '../storage/index.js';

/** Records deleted per round: a few milliseconds of work on SQLite. */
export const deleteRoundRecords = 5_000;

/** Deletes every record older than `before`; resolves with how many went. */
export async function deleteUsageBefore(repository: UsageRepository, before: number): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await repository.deleteBefore(before, deleteRoundRecords);
    total += deleted;
    if (deleted < deleteRoundRecords) return total;
    await setImmediate();
  }
}

/** Starts the hourly sweep; the returned function stops it. */
export function startUsageRetention(options: {
  repository: UsageRepository;
  retentionDays: number;
  logger: Logger;
  now?: () => number;
}): () => void {
  const now = options.now ?? Date.now;
  return startRetentionSweep(async () => {
    try {
      const deleted = await deleteUsageBefore(options.repository, now() - options.retentionDays * 86_400_000);
      if (deleted > 0) options.logger.info({ deleted }, 'deleted usage records past retention');
    } catch (error) {
      options.logger.error({ err: error }, 'could not delete usage records past retention');
    }
  });
}
