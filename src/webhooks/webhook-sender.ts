/**
 * One delivery attempt: a signed POST through the guarded dispatcher. Only a 2xx counts as delivered;
 * redirects are not followed (a receiver that moved must be updated, not chased — and following would let
 * a public host bounce us to a private one). The receiver's answer is kept short for the attempt log.
 */
import type { Readable } from 'node:stream';
import { request } from 'undici';
import { headerValue, parseRetryAfter } from '../providers/http/upstream-client.js';
import { assertFetchableUrl, UrlForbiddenError, type GuardedDispatcher } from '../security/ssrf-guard.js';
import { signWebhook } from './signature.js';

export interface WebhookMessage {
  id: string;
  url: string;
  payload: string;
  secrets: readonly string[];
}

export interface AttemptResult {
  delivered: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  /** The receiver asked for a pause (429/503 with Retry-After). */
  retryAfterMs?: number;
  /** Trying again cannot help: the SSRF guard refuses the target. */
  permanent: boolean;
}

export interface SenderOptions {
  dispatcher: GuardedDispatcher;
  timeoutMs: number;
  clock: () => number;
}

export const WEBHOOK_USER_AGENT = 'Atelier-Webhooks/1';
const SNIPPET_BYTES = 512;

export async function sendWebhook(message: WebhookMessage, options: SenderOptions): Promise<AttemptResult> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const timestamp = Math.floor(options.clock() / 1000);
  try {
    // The URL was vetted when it was stored; vet it again in case the rules or the row changed since.
    const url = assertFetchableUrl(message.url, { allowPrivateHosts: options.dispatcher.allowPrivateHosts });
    const response = await request(url, {
      method: 'POST',
      dispatcher: options.dispatcher,
      signal: AbortSignal.timeout(options.timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': WEBHOOK_USER_AGENT,
        'webhook-id': message.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(
          { id: message.id, timestamp, payload: message.payload },
          message.secrets,
        ),
      },
      body: message.payload,
    });
    const statusCode = response.statusCode;
    if (statusCode >= 200 && statusCode < 300) {
      await response.body.dump();
      return { delivered: true, statusCode, error: null, durationMs: elapsed(), permanent: false };
    }
    const snippet = await readSnippet(response.body);
    const location = headerValue(response.headers, 'location');
    const error =
      statusCode >= 300 && statusCode < 400
        ? `Redirect ${statusCode} not followed${location ? ` (location: ${location})` : ''}.`
        : `Unexpected status ${statusCode}${snippet ? `: ${snippet}` : '.'}`;
    const retryAfterMs =
      statusCode === 429 || statusCode === 503
        ? parseRetryAfter(response.headers, options.clock())
        : undefined;
    return { delivered: false, statusCode, error, durationMs: elapsed(), retryAfterMs, permanent: false };
  } catch (error) {
    return {
      delivered: false,
      statusCode: null,
      error: describeFailure(error, options.timeoutMs),
      durationMs: elapsed(),
      permanent: findForbidden(error) !== undefined,
    };
  }
}

async function readSnippet(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size >= SNIPPET_BYTES) break; // leaving the loop destroys the rest of the body
  }
  return Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString('utf8').replace(/\s+/gu, ' ').trim();
}

function findForbidden(error: unknown): UrlForbiddenError | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (current instanceof UrlForbiddenError) return current;
  }
  return undefined;
}

function describeFailure(error: unknown, timeoutMs: number): string {
  const forbidden = findForbidden(error);
  if (forbidden) return forbidden.message;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return `No answer within ${timeoutMs} ms.`;
  }
  if (error instanceof Error) {
    const code = (error as Error & { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${error.message}` : error.message;
  }
  return String(error);
}
