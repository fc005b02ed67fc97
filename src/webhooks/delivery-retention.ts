/** Deletes finished webhook deliveries (and their attempts) past their retention, at start and every hour. */
import type { Logger } from 'pino';
import { startRoundedRetentionSweep } from '../storage/index.js';
import type { WebhookRepository } from '../storage/repositories/webhook-repository.js';

/** Starts the hourly sweep; the returned function stops it. */
export function startDeliveryRetention(options: {
  repository: Pick<WebhookRepository, 'deleteFinishedBefore'>;
  retentionDays: number;
  logger: Logger;
  now?: () => number;
}): () => void {
  const now = options.now ?? Date.now;
  return startRoundedRetentionSweep({
    rows: 'webhook deliveries past retention',
    deleteRound: (limit) =>
      options.repository.deleteFinishedBefore(now() - options.retentionDays * 86_400_000, limit),
    logger: options.logger,
  });
}
