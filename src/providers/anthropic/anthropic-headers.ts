/** Authentication and version headers every Anthropic call carries. */
import type { CallCredential } from '../spec.js';

export const anthropicVersion = '2023-06-01';

/** Anthropic accepts OAuth access tokens only when this beta is announced. */
const oauthBeta = 'oauth-2025-04-20';

/**
 * `configured` are the provider's own headers (sent by sendUpstream as well); they are read here only so
 * betas configured for the provider are kept beside the OAuth beta instead of being replaced by it.
 */
export function anthropicHeaders(
  credential: CallCredential,
  configured: Record<string, string> = {},
): Record<string, string> {
  if (credential.scheme === 'oauth') {
    const betas = [configured['anthropic-beta'], oauthBeta].filter((beta): beta is string => Boolean(beta));
    return {
      authorization: `Bearer ${credential.apiKey}`,
      'anthropic-version': anthropicVersion,
      'anthropic-beta': betas.join(','),
    };
  }
  return { 'x-api-key': credential.apiKey, 'anthropic-version': anthropicVersion };
}
