/**
 * Anthropic's error envelope ({"type":"error","error":{"type","message"}}) → ProviderError. The envelope's
 * type says more than the status for a few failures: 529 overload, a billing problem hidden in a 400,
 * a permission or auth problem the pool must act on.
 */
import { providerErrorFromStatus, type ErrorKind, type ProviderError } from '../../errors/index.js';

const kindByErrorType: Record<string, ErrorKind> = {
  overloaded_error: 'overloaded',
  authentication_error: 'authentication',
  permission_error: 'permission',
  billing_error: 'quota',
  rate_limit_error: 'rate_limit',
  request_too_large: 'payload_too_large',
  not_found_error: 'not_found',
  api_error: 'upstream',
};

/** Status an error type stands for, for errors that arrive inside a 200 stream. */
const statusByErrorType: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};

/** Anthropic reports an exhausted balance or spend limit as a 400 invalid_request_error. */
const quotaMessage = /credit balance|billing|purchase credits|spend limit|usage limits?/i;

interface ParsedEnvelope {
  type?: string;
  message?: string;
}

function readEnvelope(text: string): ParsedEnvelope {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null) return {};
    const error = (value as { error?: unknown }).error;
    if (typeof error !== 'object' || error === null) return {};
    const { type, message } = error as { type?: unknown; message?: unknown };
    return {
      ...(typeof type === 'string' && { type }),
      ...(typeof message === 'string' && { message }),
    };
  } catch {
    return {};
  }
}

function hintFor(envelope: ParsedEnvelope): ErrorKind | undefined {
  if (envelope.message && quotaMessage.test(envelope.message)) return 'quota';
  return envelope.type ? kindByErrorType[envelope.type] : undefined;
}

export function parseAnthropicError(
  provider: string,
  input: { status: number; text: string; retryAfterMs: number | undefined },
): ProviderError {
  const envelope = readEnvelope(input.text);
  const snippet = input.text.trim().slice(0, 200);
  return providerErrorFromStatus({
    provider,
    status: input.status,
    message: envelope.message ?? `Anthropic answered HTTP ${input.status}${snippet ? `: ${snippet}` : ''}`,
    hint: hintFor(envelope),
    code: envelope.type,
    retryAfterMs: input.retryAfterMs,
    upstreamBody: input.text,
  });
}

/** An `event: error` inside a stream that had already answered 200. */
export function parseAnthropicStreamError(provider: string, data: string): ProviderError {
  const envelope = readEnvelope(data);
  const status = (envelope.type && statusByErrorType[envelope.type]) || 500;
  return parseAnthropicError(provider, { status, text: data, retryAfterMs: undefined });
}
