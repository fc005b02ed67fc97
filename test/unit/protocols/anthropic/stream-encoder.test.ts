import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../../src/errors/index.js';
import { anthropicClientProtocol } from '../../../../src/protocols/anthropic/index.js';
import type { ChatStreamEvent } from '../../../../src/providers/spec.js';

function encodeAll(events: ChatStreamEvent[]): string {
  const encoder = anthropicClientProtocol.createStreamEncoder({ model: 'my-alias' });
  return events.map((event) => encoder.encode(event)).join('') + encoder.end();
}

/** Parse the SSE text, checking every frame is exactly `event: X\ndata: {...}\n\n` with matching type. */
function frames(text: string): Array<{ event: string; data: Record<string, unknown> }> {
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .slice(0, -2)
    .split('\n\n')
    .map((chunk) => {
      const match = /^event: ([a-z_]+)\ndata: (.+)$/.exec(chunk);
      expect(match, chunk).not.toBeNull();
      const data = JSON.parse(match![2]!) as Record<string, unknown>;
      expect(data.type).toBe(match![1]);
      return { event: match![1]!, data };
    });
}

const summary = (text: string) =>
  frames(text).map(({ event, data }) => {
    if (event === 'content_block_start')
      return `${event}#${data.index}:${(data.content_block as { type: string }).type}`;
    if (event === 'content_block_delta')
      return `${event}#${data.index}:${(data.delta as { type: string }).type}`;
    if (event === 'content_block_stop') return `${event}#${data.index}`;
    return event;
  });

describe('anthropic stream encoder', () => {
  it('frames a text answer exactly', () => {
    const text = encodeAll([
      { type: 'start', id: 'msg_1', model: 'upstream-model' },
      { type: 'text-delta', text: 'Hel' },
      { type: 'text-delta', text: 'lo' },
      { type: 'finish', finishReason: 'stop', usage: { inputTokens: 12, outputTokens: 2 } },
    ]);
    expect(text).toBe(
      [
        'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"my-alias","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":0,"output_tokens":0}}}\n\n',
        'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hel"}}\n\n',
        'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"lo"}}\n\n',
        'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
        'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2,"input_tokens":12,"cache_read_input_tokens":0}}\n\n',
        'event: message_stop\ndata: {"type":"message_stop"}\n\n',
      ].join(''),
    );
  });

  it('numbers blocks as thinking, text and tool calls alternate', () => {
    const text = encodeAll([
      { type: 'start', id: 'msg_2', model: 'x' },
      { type: 'reasoning-delta', text: 'Let me think' },
      { type: 'reasoning-delta', text: '', signature: 'sig-abc' },
      { type: 'text-delta', text: 'I will check two cities.' },
      { type: 'tool-call-start', index: 0, id: 'call_a', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"location":' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '"Paris"}' },
      { type: 'tool-call-start', index: 1, id: 'call_b', name: 'get_weather' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{"location":"Rome"}' },
      { type: 'usage', usage: { inputTokens: 40, outputTokens: 20 } },
      { type: 'finish', finishReason: 'tool-calls', usage: { inputTokens: 40, outputTokens: 20 } },
    ]);
    expect(summary(text)).toEqual([
      'message_start',
      'content_block_start#0:thinking',
      'content_block_delta#0:thinking_delta',
      'content_block_delta#0:signature_delta',
      'content_block_stop#0',
      'content_block_start#1:text',
      'content_block_delta#1:text_delta',
      'content_block_stop#1',
      'content_block_start#2:tool_use',
      'content_block_delta#2:input_json_delta',
      'content_block_delta#2:input_json_delta',
      'content_block_stop#2',
      'content_block_start#3:tool_use',
      'content_block_delta#3:input_json_delta',
      'content_block_stop#3',
      'message_delta',
      'message_stop',
    ]);
    const parsed = frames(text);
    expect(parsed[8]!.data.content_block).toEqual({
      type: 'tool_use',
      id: 'call_a',
      name: 'get_weather',
      input: {},
    });
    expect(parsed[13]!.data.delta).toEqual({ type: 'input_json_delta', partial_json: '{"location":"Rome"}' });
    expect(parsed[3]!.data.delta).toEqual({ type: 'signature_delta', signature: 'sig-abc' });
    expect(parsed.at(-2)!.data).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { output_tokens: 20, input_tokens: 40, cache_read_input_tokens: 0 },
    });
  });

  it('opens a new text block after a tool call and reports the stop sequence', () => {
    const text = encodeAll([
      { type: 'start', id: 'msg_3', model: 'x' },
      { type: 'tool-call-start', index: 0, id: 'c', name: 'f' },
      { type: 'text-delta', text: 'after' },
      {
        type: 'finish',
        finishReason: 'stop',
        stopSequence: '###',
        usage: { inputTokens: 3, outputTokens: 1 },
      },
    ]);
    expect(summary(text)).toEqual([
      'message_start',
      'content_block_start#0:tool_use',
      'content_block_stop#0',
      'content_block_start#1:text',
      'content_block_delta#1:text_delta',
      'content_block_stop#1',
      'message_delta',
      'message_stop',
    ]);
    expect(frames(text).at(-2)!.data.delta).toEqual({ stop_reason: 'stop_sequence', stop_sequence: '###' });
  });

  it('starts the message itself when the first event is not start, and ends with nothing extra', () => {
    const encoder = anthropicClientProtocol.createStreamEncoder({ model: 'm' });
    const first = encoder.encode({ type: 'text-delta', text: 'x' });
    expect(summary(first)).toEqual([
      'message_start',
      'content_block_start#0:text',
      'content_block_delta#0:text_delta',
    ]);
    expect(encoder.end()).toBe('');
    expect(anthropicClientProtocol.createStreamEncoder({ model: 'm' }).contentType).toMatch(
      /^text\/event-stream/,
    );
  });

  it('renders a mid-stream failure as event: error with the envelope', () => {
    const encoder = anthropicClientProtocol.createStreamEncoder({ model: 'm' });
    encoder.encode({ type: 'start', id: 'msg', model: 'm' });
    const error = new ProviderError('Overloaded', {
      status: 529,
      kind: 'overloaded',
      provider: 'p',
      retryable: true,
      credentialEffect: 'failure',
    });
    expect(encoder.error(error)).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
    );
  });
});
