/**
 * The draft provider's stand-in for a vendor's content filter: any prompt containing "forbidden" is
 * refused, so the failure paths of images, video and jobs can be exercised offline.
 */
import { ProviderError } from '../../errors/index.js';

export const refusalMessage =
  'The draft provider refuses prompts containing "forbidden" (a simulated content filter).';

export function isRefused(prompt: string): boolean {
  return /forbidden/i.test(prompt);
}

export function contentPolicyError(provider: string): ProviderError {
  return new ProviderError(refusalMessage, {
    status: 400,
    kind: 'content_policy',
    code: 'content_policy_violation',
    param: 'prompt',
    provider,
    retryable: false,
    credentialEffect: 'none',
  });
}
