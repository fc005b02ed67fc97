/**
 * Google's OAuth token endpoint answers failures as `{"error":"invalid_grant","error_description":"..."}`.
 * A refused assertion means the key itself is bad (revoked, wrong, deleted account): an authentication
 * failure of the credential, whatever status carries it.
 */
import { ProviderError, providerErrorFromStatus, type ErrorKind } from '../../errors/index.js';

function describeOAuthError(text: string): { code?: string; description?: string } {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') {
      const { error, error_description: description } = parsed as Record<string, unknown>;
      return {
        ...(typeof error === 'string' ? { code: error } : {}),
        ...(typeof description === 'string' ? { description } : {}),
      };
    }
  } catch {
    // A proxy's HTML error page: the status alone classifies it.
  }
  return {};
}

function hintFor(status: number): ErrorKind | undefined {
  return status === 400 || status === 401 ? 'authentication' : undefined;
}

export function tokenEndpointError(input: {
  provider: string;
  clientEmail: string;
  status: number;
  text: string;
  retryAfterMs: number | undefined;
}): ProviderError {
  const { code, description } = describeOAuthError(input.text);
  const reason = [code, description].filter(Boolean).join(': ') || `HTTP ${input.status}`;
  return providerErrorFromStatus({
    provider: input.provider,
    status: input.status,
    message: `Google refused an access token for service account ${input.clientEmail} (${reason}).`,
    hint: hintFor(input.status),
    code: code ?? 'token_request_failed',
    retryAfterMs: input.retryAfterMs,
    upstreamBody: input.text,
  });
}

/** A 2xx answer without a usable token: treat like an upstream fault, another try may work. */
export function malformedTokenResponse(provider: string, detail: string): ProviderError {
  return new ProviderError(`Google's token endpoint sent an unusable answer: ${detail}`, {
    status: 502,
    kind: 'upstream',
    code: 'token_response_malformed',
    provider,
    retryable: true,
    credentialEffect: 'failure',
  });
}
