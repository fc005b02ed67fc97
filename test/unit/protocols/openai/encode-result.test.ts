import { describe, expect, it } from 'vitest';
import { createOpenAIClientProtocol } from '../../../../src/protocols/openai/index.js';
import type { ChatResult } from '../../../../src/providers/spec.js';
import { fixedCreated, fixedEnvironment } from './fixed-environment.js';

const protocol = createOpenAIClientProtocol(fixedEnvironment());

describe('openai encodeResult', () => {
  it('encodes a text answer as a chat.completion with the client model name', () => {
    const result: ChatResult = {
      id: 'chatcmpl-abc',
      model: 'upstream-model-2024',
      content: [{ type: 'text', text: 'Hello there' }],
      finishReason: 'stop',
      usage: { inputTokens: 12, outputTokens: 3, cachedInputTokens: 4 },
    };
    expect(JSON.stringify(protocol.encodeResult(result, { model: 'my-alias' }))).toBe(
      JSON.stringify({
        id: 'chatcmpl-abc',
        object: 'chat.completion',
        created: fixedCreated,
        model: 'my-alias',
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: 'Hello there', refusal: null },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: {
          prompt_tokens: 12,
          completion_tokens: 3,
          total_tokens: 15,
          prompt_tokens_details: { cached_tokens: 4 },
          completion_tokens_details: { reasoning_tokens: 0 },
        },
      }),
    );
  });

  it('encodes tool calls with content null and finish_reason tool_calls', () => {
    const encoded = protocol.encodeResult(
      {
        id: '',
        model: 'x',
        content: [
          { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"location":"Paris"}' },
          { type: 'tool-call', id: 'call_2', name: 'get_time', arguments: '{}' },
        ],
        // Gemini reports STOP even when it called tools; OpenAI clients need tool_calls.
        finishReason: 'stop',
        usage: { inputTokens: 1, outputTokens: 2 },
      },
      { model: 'gpt-4o' },
    ) as { id: string; choices: Array<{ message: unknown; finish_reason: string }> };
    expect(encoded.id).toBe('chatcmpl-generated1');
    expect(encoded.choices[0]!.message).toEqual({
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [
        {
          id: 'call_1',
          type: 'function',
          function: { name: 'get_weather', arguments: '{"location":"Paris"}' },
        },
        { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{}' } },
      ],
    });
    expect(encoded.choices[0]!.finish_reason).toBe('tool_calls');
  });

  it('encodes reasoning as reasoning_content and reports reasoning tokens', () => {
    const encoded = protocol.encodeResult(
      {
        id: 'r1',
        model: 'x',
        content: [
          { type: 'reasoning', text: 'Let me think. ', signature: 'sig' },
          { type: 'reasoning', text: 'Done.' },
          { type: 'text', text: 'Four.' },
        ],
        finishReason: 'stop',
        usage: { inputTokens: 5, outputTokens: 20, reasoningTokens: 15 },
      },
      { model: 'm' },
    ) as { choices: Array<{ message: Record<string, unknown> }>; usage: Record<string, unknown> };
    expect(encoded.choices[0]!.message).toEqual({
      role: 'assistant',
      content: 'Four.',
      refusal: null,
      reasoning_content: 'Let me think. Done.',
    });
    expect(encoded.usage['completion_tokens_details']).toEqual({ reasoning_tokens: 15 });
  });

  it.each([
    ['stop', 'stop'],
    ['length', 'length'],
    ['tool-calls', 'tool_calls'],
    ['content-filter', 'content_filter'],
    ['error', 'stop'],
    ['other', 'stop'],
  ] as const)('maps finish reason %s to %s', (reason, wire) => {
    const encoded = protocol.encodeResult(
      {
        id: 'x',
        model: 'x',
        content: [{ type: 'text', text: '' }],
        finishReason: reason,
        usage: { inputTokens: 0, outputTokens: 0 },
      },
      { model: 'm' },
    ) as { choices: Array<{ finish_reason: string; message: { content: unknown } }> };
    expect(encoded.choices[0]!.finish_reason).toBe(wire);
    expect(encoded.choices[0]!.message.content).toBe('');
  });

  it('round-trips usage through usageFromBody', () => {
    const usage = { inputTokens: 9, outputTokens: 4, cachedInputTokens: 2, reasoningTokens: 1 };
    const encoded = protocol.encodeResult(
      { id: 'x', model: 'x', content: [{ type: 'text', text: 'a' }], finishReason: 'stop', usage },
      { model: 'm' },
    );
    expect(protocol.usageFromBody(encoded)).toEqual(usage);
  });
});
