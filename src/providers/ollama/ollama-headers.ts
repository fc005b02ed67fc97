import type { CallCredential } from '../spec.js';

/**
 * A local Ollama needs no key; hosted or proxied set-ups check a bearer token. An empty key means
 * "no auth", so no header is sent rather than an empty `Bearer `.
 */
export function ollamaHeaders(credential: CallCredential): Record<string, string> {
  return credential.apiKey === '' ? {} : { authorization: `Bearer ${credential.apiKey}` };
}
