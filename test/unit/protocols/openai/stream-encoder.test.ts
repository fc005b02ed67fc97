import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../../../src/errors/index.js';
import { createOpenAIClientProtocol } from '../../../../src/protocols/openai/index.js';
import type { ChatStreamEvent } from '../../../../src/providers/spec.js';
import { fixedCreated, fixedEnvironment } from './fixed-environment.js';

function encodeAll(events: ChatStreamEvent[], includeUsage: boolean): string {
  const encoder = createOpenAIClientProtocol(fixedEnvironment()).createStreamEncoder({
    model: 'alias',
    includeUsage,
  });
  return events.map((event) => encoder.encode(event)).join('') + encoder.end();
}

const head = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: fixedCreated, model: 'alias' };
const line = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;
const deltaLine = (delta: unknown, extra: Record<string, unknown> = {}) =>
  line({ ...head, choices: [{ index: 0, delta, logprobs: null, finish_reason: null }], ...extra });

describe('openai stream encoder', () => {
  it('encodes a text stream exactly as OpenAI frames it', () => {
    const text = encodeAll(
      [
        { type: 'start', id: 'chatcmpl-1', model: 'upstream' },
        { type: 'text-delta', text: 'Hel' },
        { type: 'text-delta', text: '' },
        { type: 'text-delta', text: 'lo' },
        { type: 'finish', finishReason: 'stop', usage: { inputTokens: 3, outputTokens: 2 } },
      ],
      false,
    );
    expect(text).toBe(
      deltaLine({ role: 'assistant', content: '' }) +
        deltaLine({ content: 'Hel' }) +
        deltaLine({ content: 'lo' }) +
        line({ ...head, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }] }) +
        'data: [DONE]\n\n',
    );
  });

  it('adds usage: null to every chunk and a final usage chunk when include_usage is set', () => {
    const text = encodeAll(
      [
        { type: 'start', id: 'chatcmpl-1', model: 'upstream' },
        { type: 'reasoning-delta', text: 'hmm', signature: 'ignored' },
        { type: 'text-delta', text: 'Hi' },
        { type: 'usage', usage: { inputTokens: 1, outputTokens: 1 } },
        {
          type: 'finish',
          finishReason: 'length',
          usage: { inputTokens: 3, outputTokens: 2, reasoningTokens: 1 },
        },
      ],
      true,
    );
    const usage = {
      prompt_tokens: 3,
      completion_tokens: 2,
      total_tokens: 5,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 1 },
    };
    expect(text).toBe(
      deltaLine({ role: 'assistant', content: '' }, { usage: null }) +
        deltaLine({ reasoning_content: 'hmm' }, { usage: null }) +
        deltaLine({ content: 'Hi' }, { usage: null }) +
        line({
          ...head,
          choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'length' }],
          usage: null,
        }) +
        line({ ...head, choices: [], usage }) +
        'data: [DONE]\n\n',
    );
  });

  it('streams tool calls as a start fragment with id and name, then argument fragments', () => {
    const text = encodeAll(
      [
        { type: 'start', id: 'chatcmpl-1', model: 'upstream' },
        { type: 'tool-call-start', index: 0, id: 'call_a', name: 'get_weather' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: '{"loc' },
        { type: 'tool-call-delta', index: 0, argumentsDelta: 'ation":"Paris"}' },
        { type: 'tool-call-start', index: 1, id: 'call_b', name: 'get_time' },
        { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
        // Upstreams that report "stop" after tool calls still end in tool_calls for OpenAI clients.
        { type: 'finish', finishReason: 'stop', usage: { inputTokens: 3, outputTokens: 2 } },
      ],
      false,
    );
    expect(text).toBe(
      deltaLine({ role: 'assistant', content: '' }) +
        deltaLine({
          tool_calls: [
            { index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } },
          ],
        }) +
        deltaLine({ tool_calls: [{ index: 0, function: { arguments: '{"loc' } }] }) +
        deltaLine({ tool_calls: [{ index: 0, function: { arguments: 'ation":"Paris"}' } }] }) +
        deltaLine({
          tool_calls: [
            { index: 1, id: 'call_b', type: 'function', function: { name: 'get_time', arguments: '' } },
          ],
        }) +
        deltaLine({ tool_calls: [{ index: 1, function: { arguments: '{}' } }] }) +
        line({ ...head, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' }] }) +
        'data: [DONE]\n\n',
    );
  });

  it('opens the stream itself when content arrives before a start event, and finishes on end()', () => {
    const encoder = createOpenAIClientProtocol(fixedEnvironment()).createStreamEncoder({ model: 'm' });
    const text = encoder.encode({ type: 'text-delta', text: 'x' }) + encoder.end();
    const chunks = text
      .split('\n\n')
      .filter(Boolean)
      .map((frame) => frame.slice('data: '.length));
    expect(chunks.at(-1)).toBe('[DONE]');
    const parsed = chunks
      .slice(0, -1)
      .map((chunk) => JSON.parse(chunk) as { id: string; choices: unknown[] });
    expect(parsed.map((chunk) => chunk.id)).toEqual(Array(3).fill('chatcmpl-generated1'));
    expect(parsed.map((chunk) => chunk.choices[0])).toEqual([
      { index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null },
      { index: 0, delta: { content: 'x' }, logprobs: null, finish_reason: null },
      { index: 0, delta: {}, logprobs: null, finish_reason: 'stop' },
    ]);
  });

  it('renders a failure mid-stream as an OpenAI error event', () => {
    const encoder = createOpenAIClientProtocol(fixedEnvironment()).createStreamEncoder({ model: 'm' });
    const error = new ProviderError('Upstream went away', {
      status: 502,
      kind: 'connection',
      code: 'upstream_unreachable',
      provider: 'p',
      retryable: true,
      credentialEffect: 'failure',
    });
    expect(encoder.contentType).toBe('text/event-stream');
    expect(encoder.error(error)).toBe(
      'data: {"error":{"message":"Upstream went away","type":"server_error","param":null,"code":"upstream_unreachable"}}\n\n',
    );
  });
});
