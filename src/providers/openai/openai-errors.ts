/**
 * OpenAI's error body `{"error":{"message","type","param","code"}}` → ProviderError. The status decides
 * most of it; the code says more for quota exhaustion and content policy, which share 429 and 400.
 */
import { providerErrorFromStatus, type ErrorKind, type ProviderError } from '../../errors/index.js';

export interface OpenAIErrorInput {
  provider: string;
  status: number;
  text: string;
  retryAfterMs: number | undefined;
}

interface ParsedBody {
  message?: string;
  type?: string;
  code?: string;
  param?: string;
}

const hintByCode: Record<string, ErrorKind> = {
  insufficient_quota: 'quota',
  billing_hard_limit_reached: 'quota',
  content_policy_violation: 'content_policy',
  content_filter: 'content_policy',
  invalid_api_key: 'authentication',
};

export function parseOpenAIError(input: OpenAIErrorInput): ProviderError {
  const parsed = parseBody(input.text);
  const hint =
    (parsed.code && hintByCode[parsed.code]) ||
    (parsed.type && hintByCode[parsed.type]) ||
    (input.status === 401 ? 'authentication' : undefined);
  const fallback = input.text.trim().slice(0, 200) || 'no body';
  return providerErrorFromStatus({
    provider: input.provider,
    status: input.status,
    message: parsed.message ?? `OpenAI upstream answered ${input.status}: ${fallback}`,
    ...(hint && { hint }),
    ...(parsed.code && { code: parsed.code }),
    ...(parsed.param && { param: parsed.param }),
    retryAfterMs: input.retryAfterMs,
    upstreamBody: input.text,
  });
}

function parseBody(text: string): ParsedBody {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof value !== 'object' || value === null) return {};
  const error = (value as { error?: unknown }).error;
  if (typeof error === 'string') return { message: error };
  if (typeof error !== 'object' || error === null) return {};
  const fields = error as Record<string, unknown>;
  const stringField = (key: string) =>
    typeof fields[key] === 'string' ? (fields[key] as string) : undefined;
  const code = typeof fields['code'] === 'number' ? String(fields['code']) : stringField('code');
  return { message: stringField('message'), type: stringField('type'), code, param: stringField('param') };
}
