/**
 * Fetching a finished Veo video. The sample's URI is a Files API download link on the API host
 * (`{base}/v1beta/files/{id}:download?alt=media`) that wants the API key and answers with a redirect to a
 * signed storage URL. The key is only ever sent to the provider's own host; the signed URL gets none.
 */
import type { Readable } from 'node:stream';
import { request } from 'undici';
import { NotFoundError } from '../../errors/index.js';
import {
  headerValue,
  sendUpstream,
  toTransportError,
  upstreamFailure,
  type UpstreamResponse,
} from '../http/upstream-client.js';
import type { CallOptions, ProviderSettings } from '../spec.js';
import { invalidResponseError } from '../http/invalid-response.js';
import { classifyGeminiError } from './gemini-errors.js';
import { authHeaders } from './gemini-http.js';
import type { CancelSignal } from '../cancel-signal.js';

/** Redirects followed before giving up (Google uses one). */
const MAXIMUM_REDIRECTS = 3;

export async function downloadVeoVideo(
  settings: ProviderSettings,
  uri: string,
  options: CallOptions,
): Promise<{ body: Readable; mediaType: string }> {
  const base = new URL(settings.baseURL);
  const target = new URL(uri, base);
  if (target.origin !== base.origin) {
    throw invalidResponseError(settings.id, `a download link on its own host (got ${target.origin})`, uri);
  }
  const basePath = base.pathname.replace(/\/$/, '');
  let response = await sendUpstream(settings, {
    method: 'GET',
    path: `${target.pathname.slice(basePath.length)}${target.search}`,
    headers: authHeaders(options.credential),
    signal: options.signal,
  });
  for (let hop = 0; hop < MAXIMUM_REDIRECTS && isRedirect(response); hop++) {
    const location = headerValue(response.headers, 'location');
    response.body.resume();
    if (!location) throw invalidResponseError(settings.id, 'a redirect location', uri);
    response = await fetchSigned(settings, new URL(location, target).toString(), options.signal);
  }
  if (response.status === 404) {
    response.body.resume();
    throw new NotFoundError(
      'The video is no longer available from Gemini (downloads expire after two days).',
    );
  }
  if (response.status < 200 || response.status >= 300) {
    throw await upstreamFailure(settings.id, response, (input) => classifyGeminiError(settings.id, input));
  }
  return { body: response.body, mediaType: headerValue(response.headers, 'content-type') ?? 'video/mp4' };
}

function isRedirect(response: UpstreamResponse): boolean {
  return response.status >= 300 && response.status < 400;
}

/** A signed storage URL: any host, no credentials, the provider's dispatcher (and proxy) all the same. */
async function fetchSigned(
  settings: ProviderSettings,
  url: string,
  signal: CancelSignal,
): Promise<UpstreamResponse> {
  try {
    const response = await request(url, {
      method: 'GET',
      signal,
      dispatcher: settings.dispatcher,
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
    });
    return { status: response.statusCode, headers: response.headers, body: response.body };
  } catch (error) {
    throw toTransportError(settings.id, error, signal);
  }
}
