/**
 * Anthropic SSE events → canonical stream events. Tool calls are numbered among tool_use blocks only
 * (a text block before them does not shift the canonical index). Usage comes from message_start (input)
 * and the last message_delta (output, and newer cumulative totals), and is reported with `finish`.
 */
import type { Readable } from 'node:stream';
import { AtelierError, connectionError } from '../../errors/index.js';
import { decodeServerSentEvents } from '../../protocols/sse.js';
import { finishReasonFromStopReason } from '../../protocols/anthropic/stop-reason.js';
import { usageFromAnthropic } from '../../protocols/anthropic/usage.js';
import type {
  AnthropicContentDelta,
  AnthropicResponseBlock,
  AnthropicStreamEvent,
  AnthropicToolUseBlock,
  AnthropicUsage,
} from '../../protocols/anthropic/wire-types.js';
import { toTransportError } from '../http/upstream-client.js';
import type { ChatStreamEvent } from '../spec.js';
import { parseAnthropicStreamError } from './anthropic-errors.js';
import type { CancelSignal } from '../cancel-signal.js';

type BlockState =
  { kind: 'text' | 'thinking' | 'other' } | { kind: 'tool'; toolIndex: number; sawArguments: boolean };

/** What a stream remembers of its content blocks; tool calls are numbered among tool_use blocks only. */
interface Blocks {
  byIndex: Map<number, BlockState>;
  nextToolIndex: number;
}

export async function* decodeChatStream(
  provider: string,
  body: Readable,
  signal: CancelSignal,
): AsyncGenerator<ChatStreamEvent> {
  const blocks: Blocks = { byIndex: new Map(), nextToolIndex: 0 };
  let usage: Partial<AnthropicUsage> = {};
  let stopReason: string | null = null;
  let stopSequence: string | null = null;
  let finished = false;

  try {
    for await (const message of decodeServerSentEvents(body)) {
      // Keep reading to the end after message_stop so the pooled connection is released cleanly.
      if (finished || message.data === '') continue;
      let event: AnthropicStreamEvent;
      try {
        event = JSON.parse(message.data) as AnthropicStreamEvent;
      } catch (error) {
        throw connectionError(
          provider,
          new Error(`invalid JSON in Anthropic stream: ${message.data.slice(0, 120)}`, { cause: error }),
        );
      }
      switch (event.type) {
        case 'message_start':
          // Object.assign onto a literal, not a spread: keys added later reuse V8's hidden classes (decision 0005).
          usage = Object.assign({}, event.message.usage);
          yield { type: 'start', id: event.message.id, model: event.message.model };
          break;
        case 'content_block_start':
          yield* startBlock(blocks, event.index, event.content_block);
          break;
        case 'content_block_delta':
          yield* blockDelta(blocks, event.index, event.delta);
          break;
        case 'content_block_stop': {
          const block = blocks.byIndex.get(event.index);
          // A call without arguments streams no fragments; canonical consumers expect a JSON object.
          if (block?.kind === 'tool' && !block.sawArguments) {
            yield { type: 'tool-call-delta', index: block.toolIndex, argumentsDelta: '{}' };
          }
          break;
        }
        case 'message_delta':
          stopReason = event.delta?.stop_reason ?? stopReason;
          stopSequence = event.delta?.stop_sequence ?? stopSequence;
          for (const [key, value] of Object.entries(event.usage ?? {})) {
            if (typeof value === 'number') (usage as Record<string, number>)[key] = value;
          }
          break;
        case 'message_stop':
          finished = true;
          yield {
            type: 'finish',
            finishReason: finishReasonFromStopReason(stopReason),
            ...(stopSequence !== null && { stopSequence }),
            usage: usageFromAnthropic(usage),
          };
          break;
        case 'error':
          throw parseAnthropicStreamError(provider, message.data);
        default:
          // ping, and event types added after this adapter was written
          break;
      }
    }
  } catch (error) {
    if (error instanceof AtelierError) throw error;
    throw toTransportError(provider, error, signal);
  }
  if (!finished) throw connectionError(provider, new Error('Anthropic stream ended before message_stop'));
}

// Module-level generators: a generator function declared per stream gets a prototype and hidden class of its own.
function* startBlock(
  blocks: Blocks,
  index: number,
  block: AnthropicResponseBlock,
): Generator<ChatStreamEvent> {
  if (block.type === 'tool_use') {
    const call = block as AnthropicToolUseBlock;
    const state = { kind: 'tool' as const, toolIndex: blocks.nextToolIndex++, sawArguments: false };
    blocks.byIndex.set(index, state);
    yield { type: 'tool-call-start', index: state.toolIndex, id: call.id, name: call.name };
    const input = call.input;
    if (input && typeof input === 'object' && Object.keys(input).length > 0) {
      state.sawArguments = true;
      yield { type: 'tool-call-delta', index: state.toolIndex, argumentsDelta: JSON.stringify(input) };
    }
  } else if (block.type === 'text') {
    blocks.byIndex.set(index, { kind: 'text' });
    const text = (block as { text?: string }).text;
    if (text) yield { type: 'text-delta', text };
  } else if (block.type === 'thinking') {
    blocks.byIndex.set(index, { kind: 'thinking' });
    const text = (block as { thinking?: string }).thinking;
    if (text) yield { type: 'reasoning-delta', text };
  } else {
    blocks.byIndex.set(index, { kind: 'other' });
  }
}

function* blockDelta(
  blocks: Blocks,
  index: number,
  delta: AnthropicContentDelta | { type: string },
): Generator<ChatStreamEvent> {
  const block = blocks.byIndex.get(index);
  const typed = delta as AnthropicContentDelta;
  switch (typed.type) {
    case 'text_delta':
      if (typed.text) yield { type: 'text-delta', text: typed.text };
      break;
    case 'thinking_delta':
      if (typed.thinking) yield { type: 'reasoning-delta', text: typed.thinking };
      break;
    case 'signature_delta':
      yield { type: 'reasoning-delta', text: '', signature: typed.signature };
      break;
    case 'input_json_delta':
      if (block?.kind === 'tool' && typed.partial_json) {
        block.sawArguments = true;
        yield { type: 'tool-call-delta', index: block.toolIndex, argumentsDelta: typed.partial_json };
      }
      break;
  }
}
