/** A 2xx answer without what the endpoint promises: the upstream misbehaved, another may not. */
import { ProviderError } from '../../errors/index.js';

/** `body` is kept (cut to 2,000 characters) for the logs: text as is, anything else as JSON. */
export function invalidResponseError(provider: string, what: string, body: unknown): ProviderError {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return new ProviderError(`Upstream ${provider} answered without ${what}.`, {
    status: 502,
    kind: 'upstream',
    code: 'upstream_invalid_response',
    provider,
    retryable: true,
    credentialEffect: 'failure',
    upstreamBody: text?.slice(0, 2000),
  });
}
