/**
 * OpenAI `chat.completion` → canonical ChatResult.
 */
import { invalidResponseError } from '../http/invalid-response.js';
import { finishReasonFromWire, usageFromWire } from '../../protocols/openai/index.js';
import type { AssistantContentPart, ChatResult } from '../spec.js';

export function chatResultFromWire(provider: string, body: unknown, warnings: string[]): ChatResult {
  const completion = asRecord(body);
  const choices = Array.isArray(completion?.['choices']) ? completion['choices'] : [];
  // With n > 1 the canonical result carries the first choice only (a warning says so).
  const choice = asRecord(choices.find((candidate) => asRecord(candidate)?.['index'] === 0) ?? choices[0]);
  const message = asRecord(choice?.['message']);
  if (!completion || !choice || !message) {
    throw invalidResponseError(provider, 'a choice', body);
  }

  const result: ChatResult = {
    id: stringOr(completion['id'], ''),
    model: stringOr(completion['model'], ''),
    content: contentFromMessage(message),
    finishReason: finishReasonFromWire(choice['finish_reason']),
    usage: usageFromWire(completion['usage']) ?? { inputTokens: 0, outputTokens: 0 },
  };
  if (warnings.length > 0) result.warnings = warnings;
  return result;
}

function contentFromMessage(message: Record<string, unknown>): AssistantContentPart[] {
  const parts: AssistantContentPart[] = [];
  const reasoning = message['reasoning_content'];
  if (typeof reasoning === 'string' && reasoning !== '') parts.push({ type: 'reasoning', text: reasoning });
  const content = message['content'];
  const refusal = message['refusal'];
  if (typeof content === 'string' && content !== '') parts.push({ type: 'text', text: content });
  else if (typeof refusal === 'string' && refusal !== '') parts.push({ type: 'text', text: refusal });
  const toolCalls = Array.isArray(message['tool_calls']) ? message['tool_calls'] : [];
  for (const call of toolCalls) {
    const fields = asRecord(call);
    const target = asRecord(fields?.['function']);
    if (!fields || !target) continue;
    parts.push({
      type: 'tool-call',
      id: stringOr(fields['id'], ''),
      name: stringOr(target['name'], ''),
      arguments: stringOr(target['arguments'], '{}'),
    });
  }
  return parts;
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback;
}
