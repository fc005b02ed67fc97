/**
 * OpenAI usage ↔ canonical usage. OpenAI counts cached tokens inside prompt_tokens and reasoning tokens
 * inside completion_tokens; the canonical Usage follows the same convention, so the mapping is direct.
 */
import type { Usage } from '../../providers/spec.js';
import type { WireUsage } from './wire-types.js';

export function usageToWire(usage: Usage): WireUsage {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
  };
}

/** Canonical usage from a wire `usage` object; undefined when the value is not one. */
export function usageFromWire(value: unknown): Usage | undefined {
  if (!isRecord(value)) return undefined;
  const input = value['prompt_tokens'];
  const output = value['completion_tokens'];
  if (typeof input !== 'number' && typeof output !== 'number') return undefined;
  const usage: Usage = {
    inputTokens: typeof input === 'number' ? input : 0,
    outputTokens: typeof output === 'number' ? output : 0,
  };
  const cached = numberAt(value['prompt_tokens_details'], 'cached_tokens');
  if (cached !== undefined) usage.cachedInputTokens = cached;
  const reasoning = numberAt(value['completion_tokens_details'], 'reasoning_tokens');
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  return usage;
}

function numberAt(value: unknown, key: string): number | undefined {
  if (!isRecord(value)) return undefined;
  const found = value[key];
  return typeof found === 'number' ? found : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
