/**
 * Gemini's alt=sse stream → canonical stream events. Each chunk is a whole GenerateContentResponse; a
 * function call arrives complete in one part, so it becomes a tool-call-start plus one delta holding the
 * whole arguments object. Usage rides on the chunks (the last one is complete) and is reported at finish.
 */
import { AtelierError, connectionError, type ProviderError } from '../../errors/index.js';
import { decodeServerSentEvents } from '../../protocols/sse.js';
import { usageFromMetadata } from '../../protocols/gemini/usage.js';
import type {
  GeminiGenerateContentResponse,
  GeminiUsageMetadata,
} from '../../protocols/gemini/wire-types.js';
import type { UpstreamResponse } from '../http/upstream-client.js';
import { toTransportError } from '../http/upstream-client.js';
import type { ChatStreamEvent } from '../spec.js';
import { blockedPromptError, classifyGeminiError, errorObject } from './gemini-errors.js';
import { finishReasonOf, type IdGenerator } from './gemini-response.js';
import type { CancelSignal } from '../cancel-signal.js';

export interface StreamContext {
  provider: string;
  model: string;
  signal: CancelSignal;
  createId: IdGenerator;
}

function parseChunk(provider: string, data: string): GeminiGenerateContentResponse {
  try {
    return JSON.parse(data) as GeminiGenerateContentResponse;
  } catch (error) {
    throw connectionError(
      provider,
      new Error(`upstream sent an unreadable stream chunk (${data.slice(0, 120)})`, { cause: error }),
    );
  }
}

/** An error envelope sent inside a 200 stream (Google does this when a stream fails midway). */
function streamFailure(provider: string, data: string, parsed: unknown): ProviderError | undefined {
  const error = errorObject(parsed);
  if (!error) return undefined;
  const status = typeof error.code === 'number' && error.code >= 400 ? error.code : 500;
  return classifyGeminiError(provider, { status, text: data, retryAfterMs: undefined });
}

export async function* geminiStreamEvents(
  response: UpstreamResponse,
  context: StreamContext,
): AsyncGenerator<ChatStreamEvent> {
  const { provider } = context;
  let started = false;
  let toolIndex = 0;
  let finishReason: string | undefined;
  let usage: GeminiUsageMetadata | undefined;
  try {
    for await (const event of decodeServerSentEvents(response.body)) {
      if (event.data.trim() === '') continue;
      const chunk = parseChunk(provider, event.data);
      const failure = streamFailure(provider, event.data, chunk);
      if (failure) throw failure;
      if (!started) {
        const blockReason = chunk.promptFeedback?.blockReason;
        if (blockReason && !chunk.candidates?.length)
          throw blockedPromptError(provider, blockReason, event.data);
        started = true;
        yield {
          type: 'start',
          id: chunk.responseId || context.createId('gen_'),
          model: chunk.modelVersion || context.model,
        };
      }
      if (chunk.usageMetadata) usage = chunk.usageMetadata;
      const candidate = chunk.candidates?.[0];
      for (const part of candidate?.content?.parts ?? []) {
        if (part.functionCall) {
          const index = toolIndex++;
          const id = part.functionCall.id || context.createId('call_');
          yield { type: 'tool-call-start', index, id, name: part.functionCall.name };
          yield {
            type: 'tool-call-delta',
            index,
            argumentsDelta: JSON.stringify(part.functionCall.args ?? {}),
          };
        } else if (typeof part.text === 'string' && part.thought) {
          const reasoning: ChatStreamEvent = { type: 'reasoning-delta', text: part.text };
          if (part.thoughtSignature) reasoning.signature = part.thoughtSignature;
          yield reasoning;
        } else if (typeof part.text === 'string' && part.text !== '') {
          yield { type: 'text-delta', text: part.text };
        }
      }
      if (candidate?.finishReason) finishReason = candidate.finishReason;
    }
  } catch (error) {
    throw toStreamError(provider, error, context.signal);
  } finally {
    // Closing early (client gone, error) must free the pooled connection.
    if (!response.body.destroyed) response.body.destroy();
  }
  if (finishReason === undefined) {
    throw connectionError(provider, new Error('the stream ended before Gemini sent a finishReason'));
  }
  yield {
    type: 'finish',
    finishReason: finishReasonOf(finishReason, toolIndex > 0),
    usage: usageFromMetadata(usage),
  };
}

function toStreamError(provider: string, error: unknown, signal: CancelSignal): unknown {
  if (error instanceof AtelierError) return error;
  return toTransportError(provider, error, signal);
}
