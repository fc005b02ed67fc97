/**
 * Token usage between Anthropic's shape and the canonical one.
 *
 * Anthropic's input_tokens excludes prompt tokens read from or written to the cache; the canonical
 * inputTokens counts every prompt token (as OpenAI and Gemini do), with cached reads also in
 * cachedInputTokens. So input_tokens = inputTokens - cachedInputTokens on the way out.
 */
import type { Usage } from '../../providers/spec.js';
import type { AnthropicUsage } from './wire-types.js';

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

export function usageFromAnthropic(usage: Partial<AnthropicUsage> | undefined | null): Usage {
  const cacheRead = count(usage?.cache_read_input_tokens);
  const cacheWrite = count(usage?.cache_creation_input_tokens);
  const result: Usage = {
    inputTokens: count(usage?.input_tokens) + cacheRead + cacheWrite,
    outputTokens: count(usage?.output_tokens),
  };
  if (cacheRead > 0) result.cachedInputTokens = cacheRead;
  return result;
}

export function anthropicUsageFrom(usage: Usage): AnthropicUsage {
  const cached = usage.cachedInputTokens ?? 0;
  return {
    input_tokens: Math.max(0, usage.inputTokens - cached),
    output_tokens: usage.outputTokens,
    cache_read_input_tokens: cached,
  };
}

/** Usage in a relayed non-streaming answer (a `message` object). */
export function usageFromBody(body: unknown): Usage | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const usage = (body as { usage?: unknown }).usage;
  if (typeof usage !== 'object' || usage === null) return undefined;
  return usageFromAnthropic(usage as Partial<AnthropicUsage>);
}
