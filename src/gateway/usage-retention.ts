/** Deletes usage records past their retention, at start and every hour, in rounds that yield between them. */
import type { Logger } from 'pino';
import { startRoundedRetentionSweep, type UsageRepository } from '../storage/index.js';

/** Starts the hourly sweep; the returned function stops it. */
export function startUsageRetention(options: {
  repository: Pick<UsageRepository, 'deleteBefore'>;
  retentionDays: number;
  logger: Logger;
  now?: () => number;
}): () => void {
  const now = options.now ?? Date.now;
  return startRoundedRetentionSweep({
    rows: 'usage records past retention',
    deleteRound: (limit) =>
      options.repository.deleteBefore(now() - options.retentionDays * 86_400_000, limit),
    logger: options.logger,
  });
}
