/**
 * `media.<operation>` jobs: fetch the inputs into a private work directory, run the typed FFmpeg
 * operation, and keep every output in the library. One handler per operation is registered at start; the
 * media core and the run itself (media-operation-run.ts) are imported with the first media job.
 */
import * as z from 'zod';
import type { FileService } from '../../files/file-service.js';
import type { MediaLimits, MediaToolkit } from '../../media/index.js';
import { MEDIA_OPERATION_NAMES, type MediaOperationName } from '../../media/operation-names.js';
import type { JobHandler } from '../job-handler.js';
import { mediaSourceSchema, type MediaSourceResolver } from './media-source.js';

export const mediaJobInput = z.strictObject({
  inputs: z.array(mediaSourceSchema).min(1).max(32),
  options: z.record(z.string(), z.unknown()).default({}),
});

export type MediaJobInput = z.infer<typeof mediaJobInput>;

export interface MediaJobFile {
  id: string;
  url: string;
  filename: string;
  mime_type: string;
  bytes: number;
  role: string;
  facts: Record<string, unknown> | null;
}

export interface MediaJobOutput {
  operation: string;
  files: MediaJobFile[];
  result: Record<string, unknown>;
}

/** Probing is cheap; encoding takes a core each. */
const concurrencyByOperation: Partial<Record<MediaOperationName, number>> = {
  probe: 8,
  'extract-subtitles': 4,
};

export interface MediaOperationHandlerOptions {
  toolkit: () => Promise<MediaToolkit>;
  files: FileService;
  sources: MediaSourceResolver;
  limits: MediaLimits;
  concurrency: number;
}

export function createMediaOperationHandlers(
  options: MediaOperationHandlerOptions,
): Array<JobHandler<MediaJobInput, MediaJobOutput>> {
  return MEDIA_OPERATION_NAMES.map((operation) => ({
    type: `media.${operation}`,
    inputSchema: mediaJobInput,
    defaults: {
      concurrency: concurrencyByOperation[operation] ?? options.concurrency,
      timeoutMs: options.limits.timeoutMs + 60_000,
      maxAttempts: 2,
    },
    async run(context) {
      const { runMediaJob } = await import('./media-operation-run.js');
      return runMediaJob(operation, context, options);
    },
  }));
}
