import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../../src/errors/index.js';
import { chatEventsFromWire } from '../../../../src/providers/openai/openai-chat-stream.js';
import type { ChatStreamEvent } from '../../../../src/providers/spec.js';
import { collectUntilError } from './openai-test-kit.js';

function eventsOf(frames: string[]): Promise<{ events: ChatStreamEvent[]; error: unknown }> {
  const body = Readable.from(frames.map((frame) => Buffer.from(frame)));
  return collectUntilError(chatEventsFromWire('p', body, new AbortController().signal));
}

const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
  `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', created: 1, model: 'm', choices, ...extra })}\n\n`;

describe('OpenAI stream chunks → canonical events', () => {
  it('accepts a stream that ends after finish_reason without [DONE]', async () => {
    const { events, error } = await eventsOf([
      chunk([{ index: 0, delta: { role: 'assistant', content: 'Hi' }, finish_reason: null }]),
      chunk([{ index: 0, delta: {}, finish_reason: 'length' }]),
    ]);
    expect(error).toBeUndefined();
    expect(events).toEqual([
      { type: 'start', id: 'x', model: 'm' },
      { type: 'text-delta', text: 'Hi' },
      { type: 'finish', finishReason: 'length', usage: { inputTokens: 0, outputTokens: 0 } },
    ]);
  });

  it('throws a retryable connection error when neither [DONE] nor finish_reason arrives', async () => {
    const { events, error } = await eventsOf([
      chunk([{ index: 0, delta: { content: 'Hi' }, finish_reason: null }]),
    ]);
    expect(events.map((event) => event.type)).toEqual(['start', 'text-delta']);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'connection', retryable: true });
  });

  it('throws the upstream error sent inside a stream', async () => {
    const { error } = await eventsOf([
      chunk([{ index: 0, delta: { content: 'Hi' }, finish_reason: null }]),
      'data: {"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}}\n\n',
    ]);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'upstream', message: 'The server had an error', retryable: true });
  });

  it('throws a connection error on a chunk that is not JSON', async () => {
    const { error } = await eventsOf(['data: {not json\n\n']);
    expect(error).toMatchObject({ kind: 'connection', retryable: true });
  });

  it('numbers tool calls from servers that omit the index or send whole calls in one chunk', async () => {
    const { events } = await eventsOf([
      chunk([
        {
          index: 0,
          delta: {
            tool_calls: [
              { id: 'a', type: 'function', function: { name: 'one', arguments: '{"x":1}' } },
              { id: 'b', type: 'function', function: { name: 'two', arguments: '{' } },
            ],
          },
          finish_reason: null,
        },
      ]),
      chunk([
        { index: 0, delta: { tool_calls: [{ function: { arguments: '}' } }] }, finish_reason: 'tool_calls' },
      ]),
      'data: [DONE]\n\n',
    ]);
    expect(events.slice(1)).toEqual([
      { type: 'tool-call-start', index: 0, id: 'a', name: 'one' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"x":1}' },
      { type: 'tool-call-start', index: 1, id: 'b', name: 'two' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '}' },
      { type: 'finish', finishReason: 'tool-calls', usage: { inputTokens: 0, outputTokens: 0 } },
    ]);
  });

  it('reads usage from the final chunk and refusals as text; handles CRLF framing', async () => {
    const { events } = await eventsOf([
      chunk([{ index: 0, delta: { refusal: 'No.' }, finish_reason: null }]).replaceAll('\n', '\r\n'),
      chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]),
      chunk([], { usage: { prompt_tokens: 4, completion_tokens: 1, total_tokens: 5 } }),
      'data: [DONE]\n\n',
    ]);
    expect(events.slice(1)).toEqual([
      { type: 'text-delta', text: 'No.' },
      { type: 'usage', usage: { inputTokens: 4, outputTokens: 1 } },
      { type: 'finish', finishReason: 'stop', usage: { inputTokens: 4, outputTokens: 1 } },
    ]);
  });
});
