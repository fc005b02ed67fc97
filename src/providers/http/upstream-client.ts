/**
 * The one way adapters talk HTTP to a vendor: undici's `request` over the provider's pooled dispatcher,
 * Node streams end to end (no WHATWG fetch/streams on the hot path).
 */
import type { Readable } from 'node:stream';
import { errors as undiciErrors, FormData, type Dispatcher } from 'undici';
import { connectionError, type ProviderError } from '../../errors/index.js';
import type { ProviderSettings } from '../spec.js';
import type { CancelSignal } from '../cancel-signal.js';

export type IncomingHttpHeaders = Dispatcher.ResponseData['headers'];

export interface UpstreamRequest {
  method?: 'GET' | 'POST' | 'DELETE';
  /** Appended to the provider's base URL (which may carry a path such as /v1). */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** Text is sent as is, a FormData (undici's) as multipart, anything else as JSON. */
  body?: unknown;
  signal: CancelSignal;
}

export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Readable;
}

export function joinUrl(baseURL: string, path: string, query?: Record<string, string>): string {
  const base = baseURL.endsWith('/') ? baseURL.slice(0, -1) : baseURL;
  const url = `${base}${path.startsWith('/') ? path : `/${path}`}`;
  if (!query || Object.keys(query).length === 0) return url;
  return `${url}?${new URLSearchParams(query).toString()}`;
}

/** A provider's base URL split once into the origin and path prefix that undici's dispatch takes. */
const endpoints = new WeakMap<ProviderSettings, { origin: string; basePath: string }>();

function endpointOf(settings: ProviderSettings): { origin: string; basePath: string } {
  let endpoint = endpoints.get(settings);
  if (!endpoint) {
    const url = new URL(settings.baseURL);
    endpoint = { origin: url.origin, basePath: url.pathname };
    endpoints.set(settings, endpoint);
  }
  return endpoint;
}

/** Send a request; network failures and timeouts become retryable ProviderErrors. */
export async function sendUpstream(
  settings: ProviderSettings,
  input: UpstreamRequest,
): Promise<UpstreamResponse> {
  const headers: Record<string, string> = { ...settings.headers, ...input.headers };
  let body: string | FormData | undefined;
  if (input.body instanceof FormData) {
    // undici writes the multipart body and its content-type (with the boundary).
    body = input.body;
  } else if (input.body !== undefined) {
    body = typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
    headers['content-type'] ??= 'application/json';
  }
  const { origin, basePath } = endpointOf(settings);
  try {
    // The provider's dispatcher directly, with origin and path: no URL parsed per request.
    const response = await settings.dispatcher.request({
      origin,
      path: joinUrl(basePath, input.path, input.query),
      method: input.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      body,
      signal: input.signal,
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
    });
    return { status: response.statusCode, headers: response.headers, body: response.body };
  } catch (error) {
    throw toTransportError(settings.id, error, input.signal);
  }
}

export function toTransportError(provider: string, error: unknown, signal?: CancelSignal): unknown {
  if (signal?.aborted) return error;
  if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
    return connectionError(provider, error, true);
  }
  if (error instanceof undiciErrors.ConnectTimeoutError) return connectionError(provider, error, true);
  return connectionError(provider, error);
}

/**
 * Read at most `limit` bytes of a body as text (for error bodies and JSON answers); past the limit the
 * body is dropped and the text so far returned. Plain 'data' events: no async iterator per body.
 */
export function readText(body: Readable, limit = 4 * 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    if (body.errored) return reject(body.errored);
    if (body.readableEnded) return resolve('');
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = () => {
      if (settled) return;
      settled = true;
      body.off('data', onData);
      resolve(
        chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks, size).toString('utf8'),
      );
    };
    const onData = (chunk: Buffer) => {
      if (size + chunk.length > limit) {
        finish();
        body.destroy();
        return;
      }
      size += chunk.length;
      chunks.push(chunk);
    };
    body.on('data', onData);
    body.once('end', finish);
    // Stays attached once settled, so a late error on a dropped body is not an uncaught one.
    body.on('error', (error) => {
      if (settled) return;
      settled = true;
      reject(error);
    });
  });
}

/** Read a JSON body; a body cut short by the upstream is a retryable connection error. */
export async function readJson<T>(
  provider: string,
  response: UpstreamResponse,
  signal?: CancelSignal,
): Promise<T> {
  let text: string;
  try {
    text = await readText(response.body, 64 * 1024 * 1024);
  } catch (error) {
    throw toTransportError(provider, error, signal);
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw connectionError(
      provider,
      new Error(`upstream sent invalid JSON (${text.slice(0, 120)})`, { cause: error }),
    );
  }
}

/** Retry-After in milliseconds from `retry-after-ms`, `retry-after` (seconds or HTTP date). */
export function parseRetryAfter(headers: IncomingHttpHeaders, now = Date.now()): number | undefined {
  const milliseconds = headerValue(headers, 'retry-after-ms');
  if (milliseconds !== undefined && Number.isFinite(Number(milliseconds)))
    return Math.max(0, Number(milliseconds));
  const value = headerValue(headers, 'retry-after');
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Turn a non-2xx upstream answer into a ProviderError using the vendor's own body parser.
 * The body is drained so the pooled connection can be reused.
 */
export async function upstreamFailure(
  provider: string,
  response: UpstreamResponse,
  parse: (input: { status: number; text: string; retryAfterMs: number | undefined }) => ProviderError,
): Promise<ProviderError> {
  let text = '';
  try {
    text = await readText(response.body, 256 * 1024);
  } catch {
    // A body we cannot read still leaves a status to classify.
  }
  return parse({ status: response.status, text, retryAfterMs: parseRetryAfter(response.headers) });
}
