/** Deletes expired files, rows and bytes, at start and every hour: until then reads already answer 404. */
import type { Logger } from 'pino';
import { startRoundedRetentionSweep } from '../storage/index.js';
import type { FileService } from './file-service.js';

/** Starts the hourly sweep; the returned function stops it. */
export function startFileExpiry(options: {
  files: Pick<FileService, 'deleteExpired'>;
  logger: Logger;
}): () => void {
  return startRoundedRetentionSweep({
    rows: 'expired files',
    deleteRound: (limit) => options.files.deleteExpired(limit),
    logger: options.logger,
  });
}
