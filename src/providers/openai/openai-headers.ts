import type { CallCredential } from '../spec.js';

/** API keys and OAuth access tokens both travel as a bearer token. */
export function authorizationHeaders(credential: CallCredential): Record<string, string> {
  return { authorization: `Bearer ${credential.apiKey}` };
}
