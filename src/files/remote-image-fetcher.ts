/**
 * The bytes behind an image URL given in a chat message: a data: URL, a link to a file in this library, or
 * a public http(s) URL downloaded through the SSRF guard (size and time capped). Nothing else is fetched.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvalidRequestError } from '../errors/index.js';
import type { MediaLibrary } from '../jobs/media-library.js';
import type { BinaryInput } from '../providers/media-spec.js';
import type { GuardedDispatcher } from '../security/ssrf-guard.js';
import { safeDownload } from '../security/safe-fetch.js';
import { toAbortSignal, type CancelSignal } from '../providers/cancel-signal.js';

const maximumImageBytes = 20 * 1024 * 1024;
const ownFilePattern = /\/v1\/files\/(file-[A-Za-z0-9]+)\/content$/;

export function createRemoteImageFetcher(library: MediaLibrary, dispatcher: GuardedDispatcher) {
  return async (
    source: { url: string },
    apiKeyId: string | null,
    signal: CancelSignal,
  ): Promise<BinaryInput> => {
    const data = /^data:([\w/+.-]+);base64,(.*)$/s.exec(source.url);
    if (data) return { data: Buffer.from(data[2]!, 'base64'), mediaType: data[1]! };
    const own = ownFilePattern.exec(source.url.split('?')[0]!);
    if (own) return library.read(own[1]!, apiKeyId);
    if (!/^https?:\/\//i.test(source.url)) {
      throw new InvalidRequestError(
        'Image URLs must be data:, https:// or a link to a file in this library.',
        'image_url',
      );
    }
    const directory = await mkdtemp(join(tmpdir(), 'atelier-image-'));
    try {
      const result = await safeDownload(source.url, {
        dispatcher,
        maxBytes: maximumImageBytes,
        timeoutMs: 30_000,
        destinationPath: join(directory, 'image'),
        signal: toAbortSignal(signal),
      });
      return {
        data: await readFile(result.path),
        mediaType: result.contentType?.split(';')[0] ?? 'application/octet-stream',
      };
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  };
}
