/**
 * Canonical ChatResult → GenerateContentResponse.
 */
import type { AssistantContentPart, ChatResult, FinishReason } from '../../providers/spec.js';
import type { EncodeContext } from '../client-protocol.js';
import { metadataFromUsage } from './usage.js';
import type { GeminiFinishReason, GeminiGenerateContentResponse, GeminiPart } from './wire-types.js';

/** Gemini ends a turn with tool calls as STOP: callers look for functionCall parts, not a reason. */
export const FINISH_REASONS: Record<FinishReason, GeminiFinishReason> = {
  stop: 'STOP',
  'tool-calls': 'STOP',
  length: 'MAX_TOKENS',
  'content-filter': 'SAFETY',
  error: 'OTHER',
  other: 'OTHER',
};

/** Arguments are a JSON object on the Gemini wire; anything else the model produced cannot be carried. */
export function argumentsObject(text: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  return {};
}

export function encodePart(part: AssistantContentPart): GeminiPart {
  switch (part.type) {
    case 'text':
      return { text: part.text };
    case 'reasoning':
      return part.signature
        ? { text: part.text, thought: true, thoughtSignature: part.signature }
        : { text: part.text, thought: true };
    case 'tool-call':
      return { functionCall: { name: part.name, args: argumentsObject(part.arguments), id: part.id } };
  }
}

export function encodeGeminiResult(
  result: ChatResult,
  context: EncodeContext,
): GeminiGenerateContentResponse {
  return {
    candidates: [
      {
        content: { role: 'model', parts: result.content.map(encodePart) },
        finishReason: FINISH_REASONS[result.finishReason],
        index: 0,
      },
    ],
    usageMetadata: metadataFromUsage(result.usage),
    modelVersion: context.model,
    responseId: result.id,
  };
}
