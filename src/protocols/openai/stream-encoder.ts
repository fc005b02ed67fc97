/**
 * Canonical stream events → OpenAI `chat.completion.chunk` server-sent events, framed as OpenAI frames
 * them: `data: {json}\n\n` per chunk, no event names, `data: [DONE]` at the end.
 */
import type { AtelierError } from '../../errors/index.js';
import type { ChatStreamEvent, FinishReason, Usage } from '../../providers/spec.js';
import type { EncodeContext, StreamEncoder } from '../client-protocol.js';
import { unixSeconds, type EncoderEnvironment } from './environment.js';
import { renderOpenAIError } from './errors.js';
import { finishReasonToWire } from './finish-reason.js';
import { usageToWire } from './usage.js';
import type { WireChatCompletionChunk, WireDelta, WireFinishReason } from './wire-types.js';

export function createOpenAIStreamEncoder(
  context: EncodeContext,
  environment: EncoderEnvironment,
): StreamEncoder {
  return new OpenAIStreamEncoder(context, environment);
}

class OpenAIStreamEncoder implements StreamEncoder {
  readonly contentType = 'text/event-stream';
  private id: string | undefined;
  private created = 0;
  private sawToolCalls = false;
  private finished = false;
  private usage: Usage | undefined;

  constructor(
    private readonly context: EncodeContext,
    private readonly environment: EncoderEnvironment,
  ) {}

  encode(event: ChatStreamEvent): string {
    switch (event.type) {
      case 'start':
        return this.opening(event.id);
      case 'text-delta':
        return event.text === '' ? '' : this.opening() + this.delta({ content: event.text });
      case 'reasoning-delta':
        return event.text === '' ? '' : this.opening() + this.delta({ reasoning_content: event.text });
      case 'tool-call-start':
        this.sawToolCalls = true;
        return (
          this.opening() +
          this.delta({
            tool_calls: [
              {
                index: event.index,
                id: event.id,
                type: 'function',
                function: { name: event.name, arguments: '' },
              },
            ],
          })
        );
      case 'tool-call-delta':
        if (event.argumentsDelta === '') return '';
        return (
          this.opening() +
          this.delta({ tool_calls: [{ index: event.index, function: { arguments: event.argumentsDelta } }] })
        );
      case 'usage':
        this.usage = event.usage;
        return '';
      case 'finish':
        return this.finish(event.finishReason, event.usage);
    }
  }

  end(): string {
    // An upstream that ended without a finish event still owes the client a finish_reason.
    const finish = this.finished ? '' : this.finish('stop', this.usage);
    return `${finish}data: [DONE]\n\n`;
  }

  error(error: AtelierError): string {
    return frame(renderOpenAIError(error).body);
  }

  /** The first chunk announces the role; it is sent once, before any content. */
  private opening(id?: string): string {
    if (this.id !== undefined) return '';
    this.id = id || this.environment.newId();
    this.created = unixSeconds(this.environment);
    return this.delta({ role: 'assistant', content: '' });
  }

  private finish(reason: FinishReason, usage: Usage | undefined): string {
    if (this.finished) return '';
    this.finished = true;
    const wireReason: WireFinishReason = finishReasonToWire(reason, this.sawToolCalls);
    let out =
      this.opening() + this.chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: wireReason }]);
    const finalUsage = usage ?? this.usage;
    if (this.context.includeUsage) {
      out += this.chunk([], usageToWire(finalUsage ?? { inputTokens: 0, outputTokens: 0 }));
    }
    return out;
  }

  private delta(delta: WireDelta): string {
    return this.chunk([{ index: 0, delta, logprobs: null, finish_reason: null }]);
  }

  private chunk(
    choices: WireChatCompletionChunk['choices'],
    usage?: WireChatCompletionChunk['usage'],
  ): string {
    const chunk: WireChatCompletionChunk = {
      id: this.id!,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.context.model,
      choices,
    };
    // With include_usage OpenAI puts `usage: null` on every chunk but the last; some clients rely on the key.
    if (this.context.includeUsage) chunk.usage = usage ?? null;
    return frame(chunk);
  }
}

function frame(payload: unknown): string {
  // JSON.stringify never emits raw newlines, so one data line is always enough.
  return `data: ${JSON.stringify(payload)}\n\n`;
}
