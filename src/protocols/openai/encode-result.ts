/**
 * Canonical ChatResult → OpenAI `chat.completion` object.
 */
import type { ChatResult } from '../../providers/spec.js';
import type { EncodeContext } from '../client-protocol.js';
import { unixSeconds, type EncoderEnvironment } from './environment.js';
import { finishReasonToWire } from './finish-reason.js';
import { usageToWire } from './usage.js';
import type { WireAssistantMessage, WireChatCompletion, WireToolCall } from './wire-types.js';

export function encodeOpenAIResult(
  result: ChatResult,
  context: EncodeContext,
  environment: EncoderEnvironment,
): WireChatCompletion {
  const text: string[] = [];
  const reasoning: string[] = [];
  const toolCalls: WireToolCall[] = [];
  for (const part of result.content) {
    if (part.type === 'text') text.push(part.text);
    else if (part.type === 'reasoning') reasoning.push(part.text);
    else
      toolCalls.push({
        id: part.id,
        type: 'function',
        function: { name: part.name, arguments: part.arguments },
      });
  }

  // OpenAI answers content null (not "") when the turn is only tool calls.
  const content = text.length > 0 ? text.join('') : toolCalls.length > 0 ? null : '';
  const message: WireAssistantMessage = { role: 'assistant', content, refusal: null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (reasoning.length > 0) message.reasoning_content = reasoning.join('');

  return {
    id: result.id || environment.newId(),
    object: 'chat.completion',
    created: unixSeconds(environment),
    model: context.model,
    choices: [
      {
        index: 0,
        message,
        logprobs: null,
        finish_reason: finishReasonToWire(result.finishReason, toolCalls.length > 0),
      },
    ],
    usage: usageToWire(result.usage),
  };
}
