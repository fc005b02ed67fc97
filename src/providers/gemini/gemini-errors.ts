/**
 * Google's error envelope → ProviderError. Google reports a bad key as 400 INVALID_ARGUMENT with an
 * ErrorInfo reason of API_KEY_INVALID, so the status alone would misfile it as the client's mistake.
 */
import { providerErrorFromStatus, type ErrorKind, type ProviderError } from '../../errors/index.js';
import type { GeminiErrorBody } from '../../protocols/gemini/wire-types.js';

/** ErrorInfo reasons that say the credential, not the request, is at fault. */
const REASON_KINDS: Record<string, ErrorKind> = {
  API_KEY_INVALID: 'authentication',
  API_KEY_EXPIRED: 'authentication',
  ACCESS_TOKEN_EXPIRED: 'authentication',
  ACCESS_TOKEN_TYPE_UNSUPPORTED: 'authentication',
  API_KEY_SERVICE_BLOCKED: 'permission',
  API_KEY_HTTP_REFERRER_BLOCKED: 'permission',
  API_KEY_IP_ADDRESS_BLOCKED: 'permission',
  SERVICE_DISABLED: 'permission',
  CONSUMER_SUSPENDED: 'permission',
  BILLING_DISABLED: 'permission',
};

/** google.rpc.Code names that say more than the HTTP status. */
const STATUS_KINDS: Record<string, ErrorKind> = {
  RESOURCE_EXHAUSTED: 'rate_limit',
  UNAUTHENTICATED: 'authentication',
  PERMISSION_DENIED: 'permission',
  DEADLINE_EXCEEDED: 'timeout',
  // "Free tier is not available in your country. Please enable billing": this key cannot serve anyone.
  FAILED_PRECONDITION: 'permission',
};

type ErrorDetail = Record<string, unknown>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The error object of a body, also when it came wrapped in the JSON-array stream form. */
export function errorObject(parsed: unknown): GeminiErrorBody['error'] | undefined {
  const candidate = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!isRecord(candidate) || !isRecord(candidate.error)) return undefined;
  return candidate.error as GeminiErrorBody['error'];
}

/** "30s", "1.5s", "0.250s" (protobuf Duration in JSON) → milliseconds. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d+(?:\.\d+)?)s$/.exec(value.trim());
  return match ? Math.round(Number(match[1]) * 1000) : undefined;
}

function detailsOfType(details: ErrorDetail[], suffix: string): ErrorDetail[] {
  return details.filter((detail) => typeof detail['@type'] === 'string' && detail['@type'].endsWith(suffix));
}

export function classifyGeminiError(
  provider: string,
  input: { status: number; text: string; retryAfterMs: number | undefined },
): ProviderError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input.text);
  } catch {
    parsed = undefined;
  }
  const error = errorObject(parsed);
  const details = Array.isArray(error?.details) ? error.details.filter(isRecord) : [];
  const reasons = detailsOfType(details, 'google.rpc.ErrorInfo').map((detail) => String(detail.reason ?? ''));
  const statusName = typeof error?.status === 'string' ? error.status : undefined;
  const message =
    typeof error?.message === 'string' && error.message ? error.message : input.text.slice(0, 500);

  let hint: ErrorKind | undefined = reasons
    .map((reason) => REASON_KINDS[reason])
    .find((kind) => kind !== undefined);
  hint ??= statusName ? STATUS_KINDS[statusName] : undefined;
  if (!hint && /\bsafety\b|blocked/i.test(message) && input.status === 400) hint = 'content_policy';

  let retryAfterMs = input.retryAfterMs;
  if (hint === 'rate_limit' || input.status === 429) {
    const delay = detailsOfType(details, 'google.rpc.RetryInfo')
      .map((detail) => parseDuration(detail.retryDelay))
      .find((value) => value !== undefined);
    retryAfterMs = delay ?? retryAfterMs;
  }

  return providerErrorFromStatus({
    provider,
    status: input.status,
    message: `Gemini: ${message || `HTTP ${input.status}`}`,
    hint,
    code: reasons[0] || statusName,
    retryAfterMs,
    upstreamBody: input.text,
  });
}

/** A prompt Gemini refused outright (promptFeedback.blockReason with no candidates). */
export function blockedPromptError(provider: string, reason: string, body: string): ProviderError {
  return providerErrorFromStatus({
    provider,
    status: 400,
    message: `Gemini blocked the prompt (${reason}).`,
    hint: 'content_policy',
    code: reason,
    upstreamBody: body,
  });
}
