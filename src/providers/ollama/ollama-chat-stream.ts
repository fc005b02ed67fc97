/**
 * Ollama's stream (application/x-ndjson: one partial message per line, the last with done:true and the
 * token counts) → canonical ChatStreamEvents.
 */
import { connectionError } from '../../errors/index.js';
import { decodeJsonLines } from '../../protocols/sse.js';
import { toTransportError } from '../http/upstream-client.js';
import type { ChatStreamEvent } from '../spec.js';
import {
  newResponseId,
  ollamaFinishReason,
  ollamaUsage,
  readOllamaChunk,
  toolCallArguments,
  toolCallId,
} from './ollama-chat-response.js';
import type { CancelSignal } from '../cancel-signal.js';

export interface OllamaStreamInput {
  provider: string;
  body: AsyncIterable<Buffer | string>;
  /** Used for the start event if the first line does not name the model. */
  requestedModel: string;
  signal?: CancelSignal;
}

export async function* ollamaStreamEvents(input: OllamaStreamInput): AsyncGenerator<ChatStreamEvent> {
  let started = false;
  let toolCallCount = 0;
  for await (const value of jsonLines(input)) {
    const chunk = readOllamaChunk(input.provider, value);
    if (!started) {
      started = true;
      yield { type: 'start', id: newResponseId(), model: chunk.model ?? input.requestedModel };
    }
    const message = chunk.message;
    if (message?.thinking) yield { type: 'reasoning-delta', text: message.thinking };
    if (message?.content) yield { type: 'text-delta', text: message.content };
    // Ollama sends each tool call whole, so one delta carries all of its arguments.
    for (const call of message?.tool_calls ?? []) {
      const index = toolCallCount++;
      yield { type: 'tool-call-start', index, id: toolCallId(index), name: call.function.name };
      yield { type: 'tool-call-delta', index, argumentsDelta: toolCallArguments(call) };
    }
    if (chunk.done) {
      yield {
        type: 'finish',
        finishReason: ollamaFinishReason(chunk.done_reason, toolCallCount > 0),
        usage: ollamaUsage(chunk),
      };
      return;
    }
  }
  // Without done:true the answer may be incomplete: another attempt may succeed.
  throw connectionError(input.provider, new Error('the Ollama stream ended before its done:true line'));
}

/** NDJSON values; a broken connection or a line cut in half becomes a retryable connection error. */
async function* jsonLines(input: OllamaStreamInput): AsyncGenerator<unknown> {
  try {
    yield* decodeJsonLines(input.body);
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw connectionError(
        input.provider,
        new Error('Ollama sent a malformed stream line', { cause: error }),
      );
    }
    throw toTransportError(input.provider, error, input.signal);
  }
}
