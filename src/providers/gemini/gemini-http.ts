/**
 * Paths, headers and the one authenticated call of the Generative Language API (chat, models and media
 * alike: any non-2xx becomes a ProviderError from Google's envelope). The provider's baseURL is the host
 * root (https://generativelanguage.googleapis.com); the API version lives in the path.
 */
import { readJson, sendUpstream, upstreamFailure, type UpstreamResponse } from '../http/upstream-client.js';
import type { CallCredential, CallOptions, ProviderSettings } from '../spec.js';
import { classifyGeminiError } from './gemini-errors.js';

export const API_VERSION = 'v1beta';

/** `gemini-2.5-flash` → `models/gemini-2.5-flash`; `tunedModels/x` and `models/x` stay as they are. */
export function resourceName(model: string): string {
  const name = model.includes('/') ? model : `models/${model}`;
  return name.split('/').map(encodeURIComponent).join('/');
}

export function methodPath(model: string, stream: boolean): { path: string; query?: Record<string, string> } {
  const base = `/${API_VERSION}/${resourceName(model)}`;
  return stream
    ? { path: `${base}:streamGenerateContent`, query: { alt: 'sse' } }
    : { path: `${base}:generateContent` };
}

export function authHeaders(credential: CallCredential): Record<string, string> {
  return credential.scheme === 'oauth'
    ? { authorization: `Bearer ${credential.apiKey}` }
    : { 'x-goog-api-key': credential.apiKey };
}

export interface GeminiCall {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  body?: unknown;
}

/** The checked response, for callers that stream it. */
export async function sendGemini(
  settings: ProviderSettings,
  call: GeminiCall,
  options: CallOptions,
): Promise<UpstreamResponse> {
  const response = await sendUpstream(settings, {
    method: call.method,
    path: call.path,
    query: call.query,
    headers: authHeaders(options.credential),
    body: call.body,
    signal: options.signal,
  });
  if (response.status < 200 || response.status >= 300) {
    throw await upstreamFailure(settings.id, response, (input) => classifyGeminiError(settings.id, input));
  }
  return response;
}

/** The answer as JSON. */
export async function callGemini<Answer>(
  settings: ProviderSettings,
  call: GeminiCall,
  options: CallOptions,
): Promise<Answer> {
  return readJson<Answer>(settings.id, await sendGemini(settings, call, options), options.signal);
}
