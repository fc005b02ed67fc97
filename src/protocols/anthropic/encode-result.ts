/** Canonical ChatResult → an Anthropic `message` object. */
import type { AssistantContentPart, ChatResult } from '../../providers/spec.js';
import type { EncodeContext } from '../client-protocol.js';
import { stopReasonFromFinishReason } from './stop-reason.js';
import { anthropicUsageFrom } from './usage.js';
import type { AnthropicMessage, AnthropicResponseBlock } from './wire-types.js';

export function encodeResult(result: ChatResult, context: EncodeContext): AnthropicMessage {
  return {
    id: result.id,
    type: 'message',
    role: 'assistant',
    model: context.model,
    content: result.content.flatMap(encodeBlock),
    stop_reason: stopReasonFromFinishReason(result.finishReason, result.stopSequence),
    stop_sequence: result.stopSequence ?? null,
    usage: anthropicUsageFrom(result.usage),
  };
}

function encodeBlock(part: AssistantContentPart): AnthropicResponseBlock[] {
  switch (part.type) {
    case 'text':
      return [{ type: 'text', text: part.text }];
    case 'reasoning':
      return [{ type: 'thinking', thinking: part.text, signature: part.signature ?? '' }];
    case 'tool-call':
      return [{ type: 'tool_use', id: part.id, name: part.name, input: parseToolInput(part.arguments) }];
  }
}

/**
 * Anthropic clients expect `input` as an object. Arguments another vendor produced may be empty or
 * malformed; an empty object keeps the client working where the raw text would break it.
 */
export function parseToolInput(argumentsText: string): Record<string, unknown> {
  if (argumentsText.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(argumentsText);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}
