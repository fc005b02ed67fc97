import { describe, expect, it } from 'vitest';
import { anthropicClientProtocol } from '../../../../src/protocols/anthropic/index.js';
import type { ChatResult } from '../../../../src/providers/spec.js';

const encode = (result: ChatResult) => anthropicClientProtocol.encodeResult(result, { model: 'my-alias' });

describe('anthropic encodeResult', () => {
  it('encodes thinking, text and tool_use blocks with a parsed input object', () => {
    const message = encode({
      id: 'msg_1',
      model: 'claude-sonnet-4-5-20250929',
      content: [
        { type: 'reasoning', text: 'Thinking…', signature: 'sig' },
        { type: 'text', text: 'Checking.' },
        { type: 'tool-call', id: 'toolu_1', name: 'get_weather', arguments: '{"location":"Paris"}' },
      ],
      finishReason: 'tool-calls',
      usage: { inputTokens: 120, outputTokens: 30, cachedInputTokens: 100 },
    });
    expect(message).toEqual({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'my-alias',
      content: [
        { type: 'thinking', thinking: 'Thinking…', signature: 'sig' },
        { type: 'text', text: 'Checking.' },
        { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'Paris' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      // Anthropic's input_tokens leaves out cache reads; canonical inputTokens counts them.
      usage: { input_tokens: 20, output_tokens: 30, cache_read_input_tokens: 100 },
    });
  });

  it.each<[ChatResult['finishReason'], string | undefined, string]>([
    ['stop', undefined, 'end_turn'],
    ['stop', 'END', 'stop_sequence'],
    ['length', undefined, 'max_tokens'],
    ['tool-calls', undefined, 'tool_use'],
    ['content-filter', undefined, 'refusal'],
    ['other', undefined, 'end_turn'],
  ])('maps finish reason %s (stop sequence %s) to %s', (finishReason, stopSequence, stopReason) => {
    const message = encode({
      id: 'msg_2',
      model: 'x',
      content: [{ type: 'text', text: 'a' }],
      finishReason,
      ...(stopSequence !== undefined && { stopSequence }),
      usage: { inputTokens: 1, outputTokens: 1 },
    }) as { stop_reason: string; stop_sequence: string | null };
    expect(message.stop_reason).toBe(stopReason);
    expect(message.stop_sequence).toBe(stopSequence ?? null);
  });

  it('gives malformed or empty tool arguments as an empty input object', () => {
    const message = encode({
      id: 'msg_3',
      model: 'x',
      content: [
        { type: 'tool-call', id: 'a', name: 'f', arguments: '' },
        { type: 'tool-call', id: 'b', name: 'g', arguments: '{not json' },
      ],
      finishReason: 'tool-calls',
      usage: { inputTokens: 1, outputTokens: 1 },
    }) as { content: Array<{ input: unknown }> };
    expect(message.content.map((block) => block.input)).toEqual([{}, {}]);
  });
});
