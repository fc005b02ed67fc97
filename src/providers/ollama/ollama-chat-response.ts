/**
 * Ollama answers → canonical ChatResult. Shared with the stream decoder: the finish-reason rule, usage,
 * and the ids Atelier invents for tool calls (Ollama's have none).
 */
import { randomUUID } from 'node:crypto';
import type { AssistantContentPart, ChatResult, FinishReason, Usage } from '../spec.js';
import {
  ollamaChatChunkSchema,
  type OllamaChatChunk,
  type OllamaResponseToolCall,
} from './ollama-api-types.js';
import { ollamaMalformedResponse, ollamaStreamError } from './ollama-errors.js';

export function newResponseId(): string {
  return `ollama-${randomUUID()}`;
}

/** Stable within one response, so a client can pair its tool results with the calls. */
export function toolCallId(index: number): string {
  return `call_${index}`;
}

/** Canonical arguments are JSON text; Ollama sends an object. */
export function toolCallArguments(call: OllamaResponseToolCall): string {
  const value = call.function.arguments;
  if (typeof value === 'string') return value;
  return JSON.stringify(value ?? {});
}

export function ollamaFinishReason(
  doneReason: string | null | undefined,
  hasToolCalls: boolean,
): FinishReason {
  if (doneReason === 'length') return 'length';
  if (hasToolCalls) return 'tool-calls';
  return 'stop';
}

export function ollamaUsage(chunk: OllamaChatChunk): Usage {
  return { inputTokens: chunk.prompt_eval_count ?? 0, outputTokens: chunk.eval_count ?? 0 };
}

/** Validate one JSON value as an Ollama answer (or stream line); an `error` field is a failure. */
export function readOllamaChunk(provider: string, value: unknown): OllamaChatChunk {
  const parsed = ollamaChatChunkSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
    throw ollamaMalformedResponse(provider, `${where}: ${issue?.message ?? 'unexpected shape'}`);
  }
  if (parsed.data.error !== undefined && parsed.data.error !== null)
    throw ollamaStreamError(provider, parsed.data.error);
  return parsed.data;
}

export function toChatResult(
  provider: string,
  value: unknown,
  requestedModel: string,
  warnings: string[],
): ChatResult {
  const chunk = readOllamaChunk(provider, value);
  const message = chunk.message;
  const content: AssistantContentPart[] = [];
  if (message?.thinking) content.push({ type: 'reasoning', text: message.thinking });
  if (message?.content) content.push({ type: 'text', text: message.content });
  const toolCalls = message?.tool_calls ?? [];
  toolCalls.forEach((call, index) =>
    content.push({
      type: 'tool-call',
      id: toolCallId(index),
      name: call.function.name,
      arguments: toolCallArguments(call),
    }),
  );
  const result: ChatResult = {
    id: newResponseId(),
    model: chunk.model ?? requestedModel,
    content,
    finishReason: ollamaFinishReason(chunk.done_reason, toolCalls.length > 0),
    usage: ollamaUsage(chunk),
  };
  if (warnings.length > 0) result.warnings = warnings;
  return result;
}
