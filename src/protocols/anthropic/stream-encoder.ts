/**
 * Canonical stream events → Anthropic's SSE framing:
 *
 *   message_start → (content_block_start → content_block_delta* → content_block_stop)* → message_delta → message_stop
 *
 * Content blocks are numbered in the order they open; a text run, a thinking run and each tool call are
 * one block each, so when text and tool calls alternate the index keeps counting. Canonical usage arrives
 * only with `finish`, so message_start reports zero tokens and message_delta carries the real totals
 * (input tokens included, which Anthropic's SDKs read from message_delta when present).
 */
import type { AtelierError } from '../../errors/index.js';
import { encodeServerSentEvent } from '../sse.js';
import type { ChatStreamEvent, FinishReason, Usage } from '../../providers/spec.js';
import type { EncodeContext, StreamEncoder } from '../client-protocol.js';
import { errorEnvelope } from './errors.js';
import { stopReasonFromFinishReason } from './stop-reason.js';
import { anthropicUsageFrom } from './usage.js';
import type { AnthropicStreamEvent } from './wire-types.js';

type OpenBlock =
  { kind: 'text' | 'thinking'; index: number } | { kind: 'tool'; index: number; toolIndex: number };

function frame(event: AnthropicStreamEvent): string {
  return encodeServerSentEvent({ event: event.type, data: JSON.stringify(event) });
}

export function createStreamEncoder(context: EncodeContext): StreamEncoder {
  return new AnthropicStreamEncoder(context);
}

class AnthropicStreamEncoder implements StreamEncoder {
  readonly contentType = 'text/event-stream; charset=utf-8';
  private started = false;
  private finished = false;
  private nextBlockIndex = 0;
  private open: OpenBlock | undefined;
  /** canonical tool-call index → content block index */
  private readonly toolBlocks = new Map<number, number>();
  private usage: Usage | undefined;

  constructor(private readonly context: EncodeContext) {}

  encode(event: ChatStreamEvent): string {
    if (this.finished) return '';
    switch (event.type) {
      case 'start':
        return this.start(event.id);
      case 'text-delta':
        if (event.text === '') return this.start();
        return (
          this.start() +
          this.openBlock('text', { type: 'text', text: '' }) +
          this.delta({ type: 'text_delta', text: event.text })
        );
      case 'reasoning-delta': {
        let out =
          this.start() + this.openBlock('thinking', { type: 'thinking', thinking: '', signature: '' });
        if (event.text !== '') out += this.delta({ type: 'thinking_delta', thinking: event.text });
        if (event.signature) out += this.delta({ type: 'signature_delta', signature: event.signature });
        return out;
      }
      case 'tool-call-start':
        return this.start() + this.openTool(event.index, event.id, event.name);
      case 'tool-call-delta':
        return this.start() + this.toolDelta(event.index, event.argumentsDelta);
      case 'usage':
        this.usage = event.usage;
        return '';
      case 'finish':
        return this.finish(event.finishReason, event.stopSequence, event.usage);
    }
  }

  end(): string {
    return '';
  }

  error(error: AtelierError): string {
    this.finished = true;
    return encodeServerSentEvent({ event: 'error', data: JSON.stringify(errorEnvelope(error)) });
  }

  private start(id?: string): string {
    if (this.started) return '';
    this.started = true;
    return frame({
      type: 'message_start',
      message: {
        id: id ?? `msg_${Date.now().toString(36)}`,
        type: 'message',
        role: 'assistant',
        model: this.context.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0 },
      },
    });
  }

  private closeBlock(): string {
    if (!this.open) return '';
    const index = this.open.index;
    this.open = undefined;
    return frame({ type: 'content_block_stop', index });
  }

  private openBlock(
    kind: 'text' | 'thinking',
    block: { type: 'text'; text: string } | { type: 'thinking'; thinking: string; signature: string },
  ): string {
    if (this.open?.kind === kind) return '';
    const out = this.closeBlock();
    const index = this.nextBlockIndex++;
    this.open = { kind, index };
    return out + frame({ type: 'content_block_start', index, content_block: block });
  }

  private openTool(toolIndex: number, id: string, name: string): string {
    const out = this.closeBlock();
    const index = this.nextBlockIndex++;
    this.open = { kind: 'tool', index, toolIndex };
    this.toolBlocks.set(toolIndex, index);
    return (
      out +
      frame({ type: 'content_block_start', index, content_block: { type: 'tool_use', id, name, input: {} } })
    );
  }

  private toolDelta(toolIndex: number, argumentsDelta: string): string {
    if (argumentsDelta === '') return '';
    const index = this.toolBlocks.get(toolIndex);
    // Arguments for a call that never started have no block to land in.
    if (index === undefined) return '';
    // Vendors stream parallel calls one after another; a late fragment still names its own block.
    return frame({
      type: 'content_block_delta',
      index,
      delta: { type: 'input_json_delta', partial_json: argumentsDelta },
    });
  }

  private delta(
    delta:
      | { type: 'text_delta'; text: string }
      | { type: 'thinking_delta'; thinking: string }
      | { type: 'signature_delta'; signature: string },
  ): string {
    return frame({ type: 'content_block_delta', index: this.open?.index ?? 0, delta });
  }

  private finish(reason: FinishReason, stopSequence: string | undefined, usage: Usage | undefined): string {
    this.finished = true;
    const totals = anthropicUsageFrom(usage ?? this.usage ?? { inputTokens: 0, outputTokens: 0 });
    return (
      this.start() +
      this.closeBlock() +
      frame({
        type: 'message_delta',
        delta: {
          stop_reason: stopReasonFromFinishReason(reason, stopSequence),
          stop_sequence: stopSequence ?? null,
        },
        usage: {
          output_tokens: totals.output_tokens,
          input_tokens: totals.input_tokens,
          cache_read_input_tokens: totals.cache_read_input_tokens ?? 0,
        },
      }) +
      frame({ type: 'message_stop' })
    );
  }
}
