import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../../src/errors/index.js';
import { decodeChatStream } from '../../../../src/providers/anthropic/anthropic-chat-stream.js';
import type { ChatStreamEvent } from '../../../../src/providers/spec.js';

const frame = (data: Record<string, unknown>) =>
  `event: ${String(data.type)}\ndata: ${JSON.stringify(data)}\n\n`;

async function decode(frames: string[]): Promise<{ events: ChatStreamEvent[]; error?: unknown }> {
  const events: ChatStreamEvent[] = [];
  try {
    for await (const event of decodeChatStream(
      'p',
      Readable.from(frames.map((text) => Buffer.from(text))),
      new AbortController().signal,
    )) {
      events.push(event);
    }
  } catch (error) {
    return { events, error };
  }
  return { events };
}

const start = frame({
  type: 'message_start',
  message: {
    id: 'msg_1',
    type: 'message',
    role: 'assistant',
    model: 'claude',
    content: [],
    usage: { input_tokens: 10, cache_read_input_tokens: 30, output_tokens: 1 },
  },
});
const stop = (reason: string) => [
  frame({
    type: 'message_delta',
    delta: { stop_reason: reason, stop_sequence: null },
    usage: { output_tokens: 12 },
  }),
  frame({ type: 'message_stop' }),
];

describe('Anthropic SSE → canonical events', () => {
  it('counts tool indexes among tool_use blocks only and maps thinking, text and signatures', async () => {
    const { events, error } = await decode([
      start,
      frame({ type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } }),
      frame({ type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'hmm' } }),
      frame({ type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'sig' } }),
      frame({ type: 'content_block_stop', index: 0 }),
      frame({ type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }),
      'event: ping\ndata: {"type": "ping"}\n\n',
      frame({ type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Checking' } }),
      frame({ type: 'content_block_stop', index: 1 }),
      frame({
        type: 'content_block_start',
        index: 2,
        content_block: { type: 'tool_use', id: 'tu_1', name: 'a', input: {} },
      }),
      frame({ type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '' } }),
      frame({
        type: 'content_block_delta',
        index: 2,
        delta: { type: 'input_json_delta', partial_json: '{"x":1}' },
      }),
      frame({ type: 'content_block_stop', index: 2 }),
      frame({
        type: 'content_block_start',
        index: 3,
        content_block: { type: 'tool_use', id: 'tu_2', name: 'b', input: {} },
      }),
      frame({ type: 'content_block_stop', index: 3 }),
      ...stop('tool_use'),
    ]);
    expect(error).toBeUndefined();
    expect(events).toEqual([
      { type: 'start', id: 'msg_1', model: 'claude' },
      { type: 'reasoning-delta', text: 'hmm' },
      { type: 'reasoning-delta', text: '', signature: 'sig' },
      { type: 'text-delta', text: 'Checking' },
      { type: 'tool-call-start', index: 0, id: 'tu_1', name: 'a' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"x":1}' },
      { type: 'tool-call-start', index: 1, id: 'tu_2', name: 'b' },
      // an argument-less call still yields a JSON object
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
      {
        type: 'finish',
        finishReason: 'tool-calls',
        usage: { inputTokens: 40, outputTokens: 12, cachedInputTokens: 30 },
      },
    ]);
  });

  it('decodes events split across arbitrary chunk boundaries', async () => {
    const text = [
      start,
      frame({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
      frame({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'héllo ✓' } }),
      frame({ type: 'content_block_stop', index: 0 }),
      ...stop('max_tokens'),
    ].join('');
    const bytes = Buffer.from(text);
    const pieces: string[] = [];
    for (let offset = 0; offset < bytes.length; offset += 7)
      pieces.push(bytes.subarray(offset, offset + 7).toString('latin1'));
    const events: ChatStreamEvent[] = [];
    const body = Readable.from(pieces.map((piece) => Buffer.from(piece, 'latin1')));
    for await (const event of decodeChatStream('p', body, new AbortController().signal)) events.push(event);
    expect(events.filter((event) => event.type === 'text-delta')).toEqual([
      { type: 'text-delta', text: 'héllo ✓' },
    ]);
    expect(events.at(-1)).toMatchObject({ finishReason: 'length' });
  });

  it('throws a retryable connection error when the stream ends without message_stop', async () => {
    const { events, error } = await decode([
      start,
      frame({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    ]);
    expect(events).toHaveLength(1);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'connection', retryable: true });
  });

  it('throws the error event as a ProviderError', async () => {
    const { error } = await decode([
      start,
      'event: error\ndata: {"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}\n\n',
    ]);
    expect(error).toMatchObject({
      kind: 'rate_limit',
      upstreamStatus: 429,
      message: 'slow down',
      credentialEffect: 'cooldown',
    });
  });
});
