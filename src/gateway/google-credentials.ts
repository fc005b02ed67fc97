/** A credential resolver for Google service accounts: an OAuth access token, refreshed before it expires. */
import type { Dispatcher } from 'undici';
import { createServiceAccountTokenSource, parseServiceAccount } from '../providers/google-auth/index.js';
import type { CallCredential } from '../providers/spec.js';
import type { CancelSignal } from '../providers/cancel-signal.js';

export function createGoogleTokenResolver(
  credentialId: string,
  json: string,
  dispatcher: Dispatcher,
): (signal: CancelSignal) => Promise<CallCredential> {
  let account;
  try {
    account = parseServiceAccount(json);
  } catch (error) {
    throw new Error(`credential ${credentialId}: invalid service account: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const source = createServiceAccountTokenSource({ account, dispatcher, provider: credentialId });
  return async (signal) => ({
    id: credentialId,
    apiKey: await source.getAccessToken(signal),
    scheme: 'oauth',
  });
}
