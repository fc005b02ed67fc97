/**
 * Token accounting between Gemini's usageMetadata and the canonical Usage.
 *
 * Gemini counts thoughts apart from candidates (candidatesTokenCount excludes thoughtsTokenCount), while the
 * canonical outputTokens includes reasoning, as OpenAI's completion_tokens does. Cached tokens are a subset
 * of promptTokenCount on both sides.
 */
import { observeStreamUsage } from '../relay-usage.js';
import type { UsageObserver } from '../client-protocol.js';
import type { Usage } from '../../providers/spec.js';
import type { GeminiUsageMetadata } from './wire-types.js';

export function usageFromMetadata(metadata: GeminiUsageMetadata | undefined): Usage {
  const thoughts = metadata?.thoughtsTokenCount ?? 0;
  const usage: Usage = {
    inputTokens: (metadata?.promptTokenCount ?? 0) + (metadata?.toolUsePromptTokenCount ?? 0),
    outputTokens: (metadata?.candidatesTokenCount ?? 0) + thoughts,
  };
  if (metadata?.cachedContentTokenCount !== undefined)
    usage.cachedInputTokens = metadata.cachedContentTokenCount;
  if (metadata?.thoughtsTokenCount !== undefined) usage.reasoningTokens = thoughts;
  return usage;
}

export function metadataFromUsage(usage: Usage): GeminiUsageMetadata {
  const reasoning = usage.reasoningTokens ?? 0;
  const metadata: GeminiUsageMetadata = {
    promptTokenCount: usage.inputTokens,
    candidatesTokenCount: Math.max(0, usage.outputTokens - reasoning),
    totalTokenCount: usage.inputTokens + usage.outputTokens,
  };
  if (usage.cachedInputTokens !== undefined) metadata.cachedContentTokenCount = usage.cachedInputTokens;
  if (usage.reasoningTokens !== undefined) metadata.thoughtsTokenCount = usage.reasoningTokens;
  return metadata;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Usage of a relayed non-streaming answer. */
export function usageFromBody(body: unknown): Usage | undefined {
  return isRecord(body) && isRecord(body.usageMetadata)
    ? usageFromMetadata(body.usageMetadata as GeminiUsageMetadata)
    : undefined;
}

/** Watches a relayed SSE stream (alt=sse) and keeps the last usageMetadata. */
export function createStreamUsageObserver(): UsageObserver {
  let last: GeminiUsageMetadata | undefined;
  return observeStreamUsage({
    marker: '"usageMetadata"',
    read(payload) {
      if (isRecord(payload.usageMetadata)) last = payload.usageMetadata as GeminiUsageMetadata;
    },
    usage: () => (last === undefined ? undefined : usageFromMetadata(last)),
  });
}
