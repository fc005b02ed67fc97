/**
 * Canonical stream events → Gemini's alt=sse framing: `data: <GenerateContentResponse>\r\n\r\n`, one
 * part per chunk. A function call travels whole (Gemini never splits arguments), so tool-call deltas are
 * buffered until the next call starts or the stream finishes; the last chunk carries finishReason and
 * usageMetadata.
 */
import type { AtelierError } from '../../errors/index.js';
import type { ChatStreamEvent, Usage } from '../../providers/spec.js';
import type { EncodeContext, StreamEncoder } from '../client-protocol.js';
import { argumentsObject, FINISH_REASONS } from './encode-result.js';
import { renderGeminiError } from './errors.js';
import { metadataFromUsage } from './usage.js';
import type { GeminiCandidate, GeminiGenerateContentResponse, GeminiPart } from './wire-types.js';

export function frame(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\r\n\r\n`;
}

interface PendingCall {
  index: number;
  id: string;
  name: string;
  arguments: string;
}

export function createGeminiStreamEncoder(context: EncodeContext): StreamEncoder {
  let responseId: string | undefined;
  let usage: Usage | undefined;
  const pending: PendingCall[] = [];

  const chunk = (parts: GeminiPart[], finish?: Pick<GeminiCandidate, 'finishReason'>, final?: Usage) => {
    const candidate: GeminiCandidate = { content: { role: 'model', parts }, ...finish, index: 0 };
    const response: GeminiGenerateContentResponse = { candidates: [candidate] };
    if (final) response.usageMetadata = metadataFromUsage(final);
    response.modelVersion = context.model;
    if (responseId !== undefined) response.responseId = responseId;
    return frame(response);
  };

  const takePending = (): GeminiPart[] =>
    pending.splice(0).map((call) => ({
      functionCall: { name: call.name, args: argumentsObject(call.arguments), id: call.id },
    }));

  const flush = (): string => (pending.length === 0 ? '' : chunk(takePending()));

  return {
    contentType: 'text/event-stream',
    encode(event: ChatStreamEvent): string {
      switch (event.type) {
        case 'start':
          responseId = event.id;
          return '';
        case 'text-delta':
          return event.text === '' ? '' : flush() + chunk([{ text: event.text }]);
        case 'reasoning-delta': {
          const part: GeminiPart = { text: event.text, thought: true };
          if (event.signature) part.thoughtSignature = event.signature;
          return flush() + chunk([part]);
        }
        case 'tool-call-start': {
          const out = flush();
          pending.push({ index: event.index, id: event.id, name: event.name, arguments: '' });
          return out;
        }
        case 'tool-call-delta': {
          const call = pending.find((candidate) => candidate.index === event.index) ?? pending.at(-1);
          if (call) call.arguments += event.argumentsDelta;
          return '';
        }
        case 'usage':
          usage = event.usage;
          return '';
        case 'finish': {
          const parts = takePending();
          return chunk(
            parts.length > 0 ? parts : [{ text: '' }],
            { finishReason: FINISH_REASONS[event.finishReason] },
            event.usage ?? usage,
          );
        }
      }
    },
    end: () => '',
    error: (error: AtelierError) => frame(renderGeminiError(error).body),
  };
}
