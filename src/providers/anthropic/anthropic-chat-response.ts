/** Anthropic `message` object → canonical ChatResult. */
import { finishReasonFromStopReason } from '../../protocols/anthropic/stop-reason.js';
import { usageFromAnthropic } from '../../protocols/anthropic/usage.js';
import type {
  AnthropicMessage,
  AnthropicResponseBlock,
  AnthropicTextBlock,
  AnthropicThinkingBlock,
  AnthropicToolUseBlock,
} from '../../protocols/anthropic/wire-types.js';
import type { AssistantContentPart, ChatResult } from '../spec.js';

export function decodeChatResponse(message: AnthropicMessage, warnings: string[]): ChatResult {
  const result: ChatResult = {
    id: message.id,
    model: message.model,
    content: (Array.isArray(message.content) ? message.content : []).flatMap(decodeBlock),
    finishReason: finishReasonFromStopReason(message.stop_reason),
    usage: usageFromAnthropic(message.usage),
  };
  if (typeof message.stop_sequence === 'string') result.stopSequence = message.stop_sequence;
  if (warnings.length > 0) result.warnings = warnings;
  return result;
}

function decodeBlock(block: AnthropicResponseBlock): AssistantContentPart[] {
  switch (block.type) {
    case 'text':
      return [{ type: 'text', text: (block as AnthropicTextBlock).text }];
    case 'tool_use': {
      const call = block as AnthropicToolUseBlock;
      return [
        { type: 'tool-call', id: call.id, name: call.name, arguments: JSON.stringify(call.input ?? {}) },
      ];
    }
    case 'thinking': {
      const thinking = block as AnthropicThinkingBlock;
      return [{ type: 'reasoning', text: thinking.thinking, signature: thinking.signature }];
    }
    default:
      // redacted_thinking and server-tool blocks have no canonical counterpart.
      return [];
  }
}
