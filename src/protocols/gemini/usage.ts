/**
 * Token accounting between Gemini's usageMetadata and the canonical Usage.
 *
 * Gemini counts thoughts apart from candidates (candidatesTokenCount excludes thoughtsTokenCount), while the
 * canonical outputTokens includes reasoning, as OpenAI's completion_tokens does. Cached tokens are a subset
 * of promptTokenCount on both sides.
 */
import { ServerSentEventDecoder } from '../sse.js';
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

/** Usage of a relayed non-streaming answer (or of the JSON-array stream form: its last usage wins). */
export function usageFromBody(body: unknown): Usage | undefined {
  const responses = Array.isArray(body) ? body : [body];
  let last: GeminiUsageMetadata | undefined;
  for (const response of responses) {
    if (isRecord(response) && isRecord(response.usageMetadata))
      last = response.usageMetadata as GeminiUsageMetadata;
  }
  return last === undefined ? undefined : usageFromMetadata(last);
}

/** Upper bound on what a non-SSE observer buffers; beyond it usage is reported as unknown. */
const BUFFER_LIMIT = 64 * 1024 * 1024;

/**
 * Watches relayed bytes. An SSE stream (alt=sse) is decoded event by event, keeping the last
 * usageMetadata; a JSON answer or the JSON-array stream form is buffered and parsed at the end.
 */
export function createUsageObserver(stream: boolean): UsageObserver {
  const text = new TextDecoder();
  const events = new ServerSentEventDecoder();
  let mode: 'undecided' | 'sse' | 'json' = stream ? 'undecided' : 'json';
  let buffered = '';
  let overflow = false;
  let last: GeminiUsageMetadata | undefined;

  const inspect = (data: string) => {
    try {
      const parsed: unknown = JSON.parse(data);
      if (isRecord(parsed) && isRecord(parsed.usageMetadata))
        last = parsed.usageMetadata as GeminiUsageMetadata;
    } catch {
      // A chunk we cannot parse carries no usage we could trust.
    }
  };

  return {
    push(chunk) {
      const piece = text.decode(chunk, { stream: true });
      if (mode === 'undecided') {
        const start = piece.trimStart();
        if (start === '') return;
        mode = start.startsWith('[') ? 'json' : 'sse';
      }
      if (mode === 'sse') {
        for (const event of events.push(piece)) inspect(event.data);
        return;
      }
      if (overflow) return;
      buffered += piece;
      if (buffered.length > BUFFER_LIMIT) {
        overflow = true;
        buffered = '';
      }
    },
    result() {
      if (mode === 'sse') {
        for (const event of events.end()) inspect(event.data);
        return last === undefined ? undefined : usageFromMetadata(last);
      }
      if (overflow || buffered.trim() === '') return undefined;
      try {
        return usageFromBody(JSON.parse(buffered));
      } catch {
        return undefined;
      }
    },
  };
}
