/**
 * GenerateContentResponse → canonical ChatResult (and the pieces the stream reuses).
 */
import { randomUUID } from 'node:crypto';
import { usageFromMetadata } from '../../protocols/gemini/usage.js';
import type { GeminiCandidate, GeminiGenerateContentResponse } from '../../protocols/gemini/wire-types.js';
import type { AssistantContentPart, ChatResult, FinishReason } from '../spec.js';

/** Gemini finishReason → canonical; a STOP that carries function calls becomes 'tool-calls'. */
const FINISH_REASONS: Record<string, FinishReason> = {
  STOP: 'stop',
  MAX_TOKENS: 'length',
  SAFETY: 'content-filter',
  RECITATION: 'content-filter',
  BLOCKLIST: 'content-filter',
  PROHIBITED_CONTENT: 'content-filter',
  SPII: 'content-filter',
  IMAGE_SAFETY: 'content-filter',
  MALFORMED_FUNCTION_CALL: 'error',
  UNEXPECTED_TOOL_CALL: 'error',
  TOO_MANY_TOOL_CALLS: 'error',
  LANGUAGE: 'other',
  OTHER: 'other',
  FINISH_REASON_UNSPECIFIED: 'other',
};

export function finishReasonOf(reason: string, sawToolCall: boolean): FinishReason {
  const mapped = FINISH_REASONS[reason] ?? 'other';
  return mapped === 'stop' && sawToolCall ? 'tool-calls' : mapped;
}

/** Gemini often omits call ids; other protocols need unique ones across the conversation. */
export type IdGenerator = (prefix: string) => string;

export const randomId: IdGenerator = (prefix) => `${prefix}${randomUUID().replaceAll('-', '').slice(0, 24)}`;

export function contentOf(
  candidate: GeminiCandidate | undefined,
  createId: IdGenerator,
): AssistantContentPart[] {
  const content: AssistantContentPart[] = [];
  for (const part of candidate?.content?.parts ?? []) {
    if (part.functionCall) {
      content.push({
        type: 'tool-call',
        id: part.functionCall.id || createId('call_'),
        name: part.functionCall.name,
        arguments: JSON.stringify(part.functionCall.args ?? {}),
      });
    } else if (typeof part.text === 'string' && part.thought) {
      const reasoning: AssistantContentPart = { type: 'reasoning', text: part.text };
      if (part.thoughtSignature) reasoning.signature = part.thoughtSignature;
      content.push(reasoning);
    } else if (typeof part.text === 'string' && part.text !== '') {
      const previous = content.at(-1);
      if (previous?.type === 'text') previous.text += part.text;
      else content.push({ type: 'text', text: part.text });
    }
  }
  return content;
}

export function resultFromResponse(
  response: GeminiGenerateContentResponse,
  model: string,
  createId: IdGenerator,
  warnings: string[],
): ChatResult {
  const candidate = response.candidates?.[0];
  const content = contentOf(candidate, createId);
  const sawToolCall = content.some((part) => part.type === 'tool-call');
  const result: ChatResult = {
    id: response.responseId || createId('gen_'),
    model: response.modelVersion || model,
    content,
    finishReason: finishReasonOf(candidate?.finishReason ?? 'OTHER', sawToolCall),
    usage: usageFromMetadata(response.usageMetadata),
  };
  if (warnings.length > 0) result.warnings = warnings;
  return result;
}
