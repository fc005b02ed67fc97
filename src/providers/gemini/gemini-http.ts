/**
 * Paths and headers of the Generative Language API. The provider's baseURL is the host root
 * (https://generativelanguage.googleapis.com); the API version lives in the path.
 */
import type { CallCredential } from '../spec.js';

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
