/**
 * Download a user-supplied URL to a local file through the SSRF guard.
 *
 * Redirects are followed by hand so that every Location is vetted like the first URL, and the guarded
 * dispatcher re-checks the address at connect time. Size is capped twice (Content-Length up front, bytes
 * counted while streaming) and the whole download has one deadline. The file appears only when complete.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';
import { AtelierError } from '../errors/index.js';
import { assertFetchableUrl, type GuardedDispatcher } from './ssrf-guard.js';

export interface SafeDownloadOptions {
  dispatcher: GuardedDispatcher;
  maxBytes: number;
  timeoutMs: number;
  maxRedirects?: number;
  destinationPath: string;
  signal?: AbortSignal;
}

export interface SafeDownloadResult {
  path: string;
  bytes: number;
  /** The URL the bytes finally came from, after redirects. */
  finalUrl: string;
  contentType: string | undefined;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export function downloadTooLarge(maxBytes: number): AtelierError {
  return new AtelierError(`The download is larger than the limit of ${maxBytes} bytes.`, {
    status: 413,
    kind: 'payload_too_large',
    code: 'download_too_large',
    param: 'url',
    retryable: false,
  });
}

function downloadTimeout(timeoutMs: number): AtelierError {
  return new AtelierError(`The download did not finish within ${timeoutMs} ms.`, {
    status: 408,
    kind: 'timeout',
    code: 'download_timeout',
    param: 'url',
    retryable: false,
  });
}

function downloadFailed(message: string, cause?: unknown): AtelierError {
  return new AtelierError(message, {
    status: 422,
    kind: 'invalid_request',
    code: 'download_failed',
    param: 'url',
    retryable: false,
    cause,
  });
}

export async function safeDownload(url: string, options: SafeDownloadOptions): Promise<SafeDownloadResult> {
  const maxRedirects = options.maxRedirects ?? 5;
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  const policy = { allowPrivateHosts: options.dispatcher.allowPrivateHosts };
  const partPath = `${options.destinationPath}.part-${randomBytes(6).toString('hex')}`;
  let current = assertFetchableUrl(url, policy);
  try {
    for (let redirects = 0; ; redirects += 1) {
      const response = await request(current, {
        method: 'GET',
        dispatcher: options.dispatcher,
        signal,
        headers: { 'user-agent': 'Atelier', 'accept-encoding': 'identity' },
      });
      if (REDIRECT_STATUSES.has(response.statusCode)) {
        await response.body.dump();
        const location = response.headers.location;
        if (typeof location !== 'string') {
          throw downloadFailed(`The URL redirected (HTTP ${response.statusCode}) without a Location.`);
        }
        if (redirects >= maxRedirects) {
          throw new AtelierError(`The URL redirected more than ${maxRedirects} times.`, {
            status: 422,
            kind: 'invalid_request',
            code: 'too_many_redirects',
            param: 'url',
            retryable: false,
          });
        }
        current = assertFetchableUrl(new URL(location, current).toString(), policy);
        continue;
      }
      if (response.statusCode < 200 || response.statusCode >= 300) {
        await response.body.dump();
        throw downloadFailed(`The URL answered HTTP ${response.statusCode}.`);
      }
      const declared = Number(response.headers['content-length']);
      if (Number.isFinite(declared) && declared > options.maxBytes) {
        // dump() reads at most a small bounded amount, then closes the connection quietly.
        await response.body.dump();
        throw downloadTooLarge(options.maxBytes);
      }
      const counter = new ByteCounter(options.maxBytes);
      await pipeline(response.body, counter, createWriteStream(partPath, { flags: 'wx' }), { signal });
      await rename(partPath, options.destinationPath);
      const contentType = response.headers['content-type'];
      return {
        path: options.destinationPath,
        bytes: counter.bytes,
        finalUrl: current.toString(),
        contentType: typeof contentType === 'string' ? contentType : undefined,
      };
    }
  } catch (error) {
    await rm(partPath, { force: true });
    if (error instanceof AtelierError) throw error;
    if (options.signal?.aborted) throw options.signal.reason ?? error;
    if (deadline.aborted) throw downloadTimeout(options.timeoutMs);
    const reason = error instanceof Error ? error.message : String(error);
    throw downloadFailed(`The URL could not be downloaded: ${reason}`, error);
  }
}

/** Passes bytes through, failing the pipeline as soon as the running total exceeds the cap. */
class ByteCounter extends Transform {
  bytes = 0;

  constructor(private readonly maxBytes: number) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) callback(downloadTooLarge(this.maxBytes));
    else callback(null, chunk);
  }
}
