/** Authentication and version headers every Anthropic call carries. */
import type { CallCredential } from '../spec.js';

export const anthropicVersion = '2023-06-01';

/** Anthropic accepts OAuth access tokens only when this beta is announced. */
const oauthBeta = 'oauth-2025-04-20';

export function anthropicHeaders(credential: CallCredential): Record<string, string> {
  if (credential.scheme === 'oauth') {
    return {
      authorization: `Bearer ${credential.apiKey}`,
      'anthropic-version': anthropicVersion,
      'anthropic-beta': oauthBeta,
    };
  }
  return { 'x-api-key': credential.apiKey, 'anthropic-version': anthropicVersion };
}
