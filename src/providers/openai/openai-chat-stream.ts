/**
 * OpenAI `chat.completion.chunk` server-sent events → canonical stream events.
 *
 * OpenAI sends the finish_reason chunk, then (with include_usage) a usage chunk with no choices, then
 * `data: [DONE]`; the canonical finish event, which carries usage, is therefore emitted at the end.
 * A stream that stops before [DONE] and before any finish_reason was cut: that is a retryable
 * connection error, never a silent short answer.
 */
import type { Readable } from 'node:stream';
import { connectionError, ProviderError } from '../../errors/index.js';
import { finishReasonFromWire, usageFromWire } from '../../protocols/openai/index.js';
import { decodeServerSentEvents } from '../../protocols/sse.js';
import { toTransportError } from '../http/upstream-client.js';
import type { ChatStreamEvent, FinishReason, Usage } from '../spec.js';
import { asRecord, stringOr } from './openai-chat-response.js';
import { parseOpenAIError } from './openai-errors.js';
import type { CancelSignal } from '../cancel-signal.js';

export async function* chatEventsFromWire(
  provider: string,
  body: Readable,
  signal: CancelSignal,
): AsyncGenerator<ChatStreamEvent> {
  const state = new ChunkState();
  let done = false;
  try {
    for await (const message of decodeServerSentEvents(body)) {
      const data = message.data.trim();
      if (data === '[DONE]') {
        done = true;
        break;
      }
      if (data === '') continue;
      yield* state.chunk(provider, parseChunk(provider, data));
    }
  } catch (error) {
    if (error instanceof ProviderError) throw error;
    throw toTransportError(provider, error, signal);
  } finally {
    if (!body.destroyed) body.destroy();
  }
  if (!done && state.finishReason === undefined) {
    throw connectionError(provider, new Error('the stream ended before [DONE]'));
  }
  yield {
    type: 'finish',
    finishReason: state.finishReason ?? 'stop',
    usage: state.usage ?? { inputTokens: 0, outputTokens: 0 },
  };
}

function parseChunk(provider: string, data: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch (error) {
    throw connectionError(
      provider,
      new Error(`upstream sent invalid JSON in a stream (${data.slice(0, 120)})`, { cause: error }),
    );
  }
  const chunk = asRecord(value);
  if (!chunk)
    throw connectionError(
      provider,
      new Error(`upstream sent a non-object stream chunk (${data.slice(0, 120)})`),
    );
  // OpenAI reports failures after the 200 as an `error` object in the stream.
  if (chunk['error'] !== undefined)
    throw parseOpenAIError({ provider, status: 500, text: data, retryAfterMs: undefined });
  return chunk;
}

class ChunkState {
  finishReason: FinishReason | undefined;
  usage: Usage | undefined;
  private started = false;
  /** Tool calls by the upstream's key (its index, or its id when a server omits the index). */
  private readonly toolIndexes = new Map<number | string, number>();
  private lastToolIndex: number | undefined;

  *chunk(provider: string, chunk: Record<string, unknown>): Generator<ChatStreamEvent> {
    if (!this.started) {
      this.started = true;
      yield { type: 'start', id: stringOr(chunk['id'], ''), model: stringOr(chunk['model'], '') };
    }
    const usage = usageFromWire(chunk['usage']);
    if (usage) {
      this.usage = usage;
      yield { type: 'usage', usage };
    }
    const choices = Array.isArray(chunk['choices']) ? chunk['choices'] : [];
    for (const entry of choices) {
      const choice = asRecord(entry);
      // With n > 1 only the first choice is followed.
      if (!choice || (choice['index'] ?? 0) !== 0) continue;
      const delta = asRecord(choice['delta']);
      if (delta) yield* this.delta(provider, delta);
      if (choice['finish_reason'] != null) this.finishReason = finishReasonFromWire(choice['finish_reason']);
    }
  }

  private *delta(provider: string, delta: Record<string, unknown>): Generator<ChatStreamEvent> {
    // reasoning_content is DeepSeek's and vLLM's spelling; some servers say `reasoning`.
    const reasoning = delta['reasoning_content'] ?? delta['reasoning'];
    if (typeof reasoning === 'string' && reasoning !== '') yield { type: 'reasoning-delta', text: reasoning };
    for (const key of ['content', 'refusal']) {
      const text = delta[key];
      if (typeof text === 'string' && text !== '') yield { type: 'text-delta', text };
    }
    const toolCalls = Array.isArray(delta['tool_calls']) ? delta['tool_calls'] : [];
    for (const entry of toolCalls) {
      const call = asRecord(entry);
      if (call) yield* this.toolCall(provider, call);
    }
  }

  private *toolCall(provider: string, call: Record<string, unknown>): Generator<ChatStreamEvent> {
    const target = asRecord(call['function']);
    const id = typeof call['id'] === 'string' && call['id'] !== '' ? call['id'] : undefined;
    const key = typeof call['index'] === 'number' ? call['index'] : id;
    let index = key === undefined ? this.lastToolIndex : this.toolIndexes.get(key);
    if (index === undefined) {
      index = this.toolIndexes.size;
      this.toolIndexes.set(key ?? index, index);
      yield {
        type: 'tool-call-start',
        index,
        id: id ?? `call_${provider}_${index}`,
        name: stringOr(target?.['name'], ''),
      };
    }
    this.lastToolIndex = index;
    const argumentsDelta = target?.['arguments'];
    if (typeof argumentsDelta === 'string' && argumentsDelta !== '') {
      yield { type: 'tool-call-delta', index, argumentsDelta };
    }
  }
}
