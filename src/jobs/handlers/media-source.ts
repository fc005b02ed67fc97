/**
 * Where a media job's input comes from: a library file, another job's primary output, or a URL that is
 * downloaded through the SSRF guard. Whatever the source, FFmpeg only ever sees a local file we wrote.
 */
import { join } from 'node:path';
import * as z from 'zod';
import { InvalidRequestError } from '../../errors/index.js';
import type { FileService } from '../../files/file-service.js';
import type { MediaFacts } from '../../media/index.js';
import { safeDownload } from '../../security/safe-fetch.js';
import type { GuardedDispatcher } from '../../security/ssrf-guard.js';
import type { JobService } from '../job-service.js';

export const mediaSourceSchema = z.union([
  z.strictObject({ file_id: z.string().min(1) }),
  z.strictObject({ job_id: z.string().min(1) }),
  z.strictObject({ url: z.string().min(1).max(4096) }),
]);

export type MediaSource = z.infer<typeof mediaSourceSchema>;

export interface MaterializedSource {
  path: string;
  /** The library file behind the source, when there is one. */
  fileId?: string;
  /** Media facts already known for that file (probed by an earlier job, or written with it as an output). */
  facts?: MediaFacts;
}

export interface MediaSourceResolver {
  /** A local path in `directory` holding the source's bytes. */
  materialize(
    source: MediaSource,
    index: number,
    directory: string,
    apiKeyId: string | null,
    signal: AbortSignal,
  ): Promise<MaterializedSource>;
}

function knownFacts(metadata: string): MediaFacts | undefined {
  const facts = (JSON.parse(metadata) as { media_facts?: MediaFacts }).media_facts;
  return facts && typeof facts === 'object' ? facts : undefined;
}

export function createMediaSourceResolver(options: {
  files: FileService;
  jobs: JobService;
  dispatcher: GuardedDispatcher;
  maxDownloadBytes: number;
  downloadTimeoutMs: number;
}): MediaSourceResolver {
  const access = (apiKeyId: string | null) => (apiKeyId === null ? {} : { ownerKeyId: apiKeyId });
  return {
    async materialize(source, index, directory, apiKeyId, signal) {
      const fromLibrary = async (fileId: string): Promise<MaterializedSource> => {
        const record = await options.files.get(fileId, access(apiKeyId));
        return {
          path: await options.files.localPath(fileId, directory, access(apiKeyId)),
          fileId,
          facts: knownFacts(record.metadata),
        };
      };
      if ('file_id' in source) return fromLibrary(source.file_id);
      if ('job_id' in source) {
        const job = await options.jobs.get(source.job_id);
        if (apiKeyId !== null && job.api_key_id !== apiKeyId) {
          throw new InvalidRequestError(`No job with id '${source.job_id}'.`, `inputs[${index}].job_id`);
        }
        const output =
          job.status === 'succeeded' && job.output
            ? (JSON.parse(job.output) as { files?: Array<{ id: string; role?: string }> })
            : undefined;
        const primary = output?.files?.find((file) => file.role === undefined || file.role === 'primary');
        if (!primary) {
          throw new InvalidRequestError(
            `Job '${source.job_id}' has no finished output to use (it is ${job.status}).`,
            `inputs[${index}].job_id`,
          );
        }
        return fromLibrary(primary.id);
      }
      const result = await safeDownload(source.url, {
        dispatcher: options.dispatcher,
        maxBytes: options.maxDownloadBytes,
        timeoutMs: options.downloadTimeoutMs,
        destinationPath: join(directory, `download-${index}`),
        signal,
      });
      return { path: result.path };
    },
  };
}
