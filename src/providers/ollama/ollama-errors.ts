/**
 * Ollama answers failures as `{"error":"..."}` with an HTTP status. The status carries most of the
 * meaning; the text refines it (a 404 is a model that was never pulled on that host).
 */
import { ProviderError, providerErrorFromStatus, type ErrorKind } from '../../errors/index.js';

export function ollamaErrorMessage(text: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && 'error' in parsed) {
      const error = (parsed as { error: unknown }).error;
      if (typeof error === 'string') return error;
      if (error !== undefined) return JSON.stringify(error);
    }
  } catch {
    // Not JSON: Ollama's router answers unknown paths with plain text ("404 page not found").
  }
  const trimmed = text.trim();
  return trimmed === '' ? undefined : trimmed.slice(0, 500);
}

/** Ollama itself has no keys; a 401/403 comes from an authenticating proxy or hosted Ollama. */
function hintFor(status: number): ErrorKind | undefined {
  return status === 401 || status === 403 ? 'authentication' : undefined;
}

export function parseOllamaError(provider: string) {
  return (input: { status: number; text: string; retryAfterMs: number | undefined }): ProviderError => {
    const vendorMessage = ollamaErrorMessage(input.text);
    const modelMissing = input.status === 404 && /not found/i.test(vendorMessage ?? '');
    return providerErrorFromStatus({
      provider,
      status: input.status,
      message: vendorMessage ?? `Ollama answered HTTP ${input.status}.`,
      hint: hintFor(input.status),
      code: modelMissing ? 'model_not_found' : undefined,
      retryAfterMs: input.retryAfterMs,
      upstreamBody: input.text,
    });
  };
}

/** An `{"error":...}` line inside a stream that had already been accepted with 200. */
export function ollamaStreamError(provider: string, error: unknown): ProviderError {
  const message = typeof error === 'string' ? error : JSON.stringify(error);
  return new ProviderError(`Ollama failed while streaming: ${message}`, {
    status: 502,
    kind: 'upstream',
    code: 'upstream_stream_error',
    provider,
    retryable: true,
    credentialEffect: 'failure',
    upstreamBody: message,
  });
}

/** A 2xx answer whose JSON does not have Ollama's shape: the host is not (a compatible) Ollama. */
export function ollamaMalformedResponse(provider: string, detail: string): ProviderError {
  return new ProviderError(`Ollama sent a response Atelier cannot read: ${detail}`, {
    status: 502,
    kind: 'upstream',
    code: 'upstream_malformed_response',
    provider,
    retryable: true,
    credentialEffect: 'failure',
  });
}
