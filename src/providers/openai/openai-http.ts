/**
 * The one authenticated call every OpenAI capability makes (chat, models, images, video, audio): through
 * sendUpstream with the bearer token, any non-2xx answer turned into a ProviderError from OpenAI's body.
 */
import { sendUpstream, upstreamFailure, type UpstreamResponse } from '../http/upstream-client.js';
import type { CallCredential, CallOptions, ProviderSettings } from '../spec.js';
import { parseOpenAIError } from './openai-errors.js';

export interface OpenAIRequest {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** A JSON value, or an undici FormData sent as multipart. */
  body?: unknown;
  headers?: Record<string, string>;
}

export async function callOpenAI(
  settings: ProviderSettings,
  request: OpenAIRequest,
  options: CallOptions,
): Promise<UpstreamResponse> {
  const provider = settings.id;
  const response = await sendUpstream(settings, {
    method: request.method,
    path: request.path,
    headers: Object.assign({}, request.headers, authorizationHeaders(options.credential)),
    body: request.body,
    signal: options.signal,
  });
  if (response.status < 200 || response.status >= 300) {
    throw await upstreamFailure(provider, response, (failure) => parseOpenAIError({ provider, ...failure }));
  }
  return response;
}

/** API keys and OAuth access tokens both travel as a bearer token. */
function authorizationHeaders(credential: CallCredential): Record<string, string> {
  return { authorization: `Bearer ${credential.apiKey}` };
}
