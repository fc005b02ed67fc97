import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AtelierError, ProviderError } from '../../../../src/errors/index.js';
import { toChatResult } from '../../../../src/providers/ollama/ollama-chat-response.js';
import { ollamaStreamEvents } from '../../../../src/providers/ollama/ollama-chat-stream.js';
import type { ChatStreamEvent } from '../../../../src/providers/spec.js';

function body(lines: unknown[]): Readable {
  return Readable.from(lines.map((line) => (typeof line === 'string' ? line : `${JSON.stringify(line)}\n`)));
}

async function drain(lines: unknown[]): Promise<{ events: ChatStreamEvent[]; error?: unknown }> {
  const events: ChatStreamEvent[] = [];
  try {
    for await (const event of ollamaStreamEvents({
      provider: 'ollama',
      body: body(lines),
      requestedModel: 'm',
    })) {
      events.push(event);
    }
    return { events };
  } catch (error) {
    return { events, error };
  }
}

const done = {
  model: 'qwen3:8b',
  message: { role: 'assistant', content: '' },
  done: true,
  done_reason: 'stop',
};

describe('Ollama stream decoding', () => {
  it('turns thinking into reasoning deltas and counts into the finish usage', async () => {
    const { events, error } = await drain([
      { model: 'qwen3:8b', message: { role: 'assistant', content: '', thinking: 'Let me ' }, done: false },
      { model: 'qwen3:8b', message: { role: 'assistant', content: '', thinking: 'think.' }, done: false },
      { model: 'qwen3:8b', message: { role: 'assistant', content: 'Hi' }, done: false },
      { ...done, prompt_eval_count: 12, eval_count: 7 },
    ]);
    expect(error).toBeUndefined();
    expect(events.slice(1)).toEqual([
      { type: 'reasoning-delta', text: 'Let me ' },
      { type: 'reasoning-delta', text: 'think.' },
      { type: 'text-delta', text: 'Hi' },
      { type: 'finish', finishReason: 'stop', usage: { inputTokens: 12, outputTokens: 7 } },
    ]);
    expect(events[0]).toMatchObject({ type: 'start', model: 'qwen3:8b' });
  });

  it('numbers several tool calls across lines', async () => {
    const call = (name: string, city: string) => ({ function: { name, arguments: { city } } });
    const { events } = await drain([
      { message: { role: 'assistant', content: '', tool_calls: [call('a', 'Paris'), call('b', 'Rome')] } },
      { message: { role: 'assistant', content: '', tool_calls: [call('c', 'Oslo')] } },
      done,
    ]);
    expect(events.filter((event) => event.type === 'tool-call-start')).toEqual([
      { type: 'tool-call-start', index: 0, id: 'call_0', name: 'a' },
      { type: 'tool-call-start', index: 1, id: 'call_1', name: 'b' },
      { type: 'tool-call-start', index: 2, id: 'call_2', name: 'c' },
    ]);
    expect(events.find((event) => event.type === 'tool-call-delta' && event.index === 2)).toEqual({
      type: 'tool-call-delta',
      index: 2,
      argumentsDelta: '{"city":"Oslo"}',
    });
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'tool-calls' });
  });

  it('prefers length over tool calls, and falls back to the requested model name', async () => {
    const { events } = await drain([{ message: { content: 'x' }, done: true, done_reason: 'length' }]);
    expect(events[0]).toMatchObject({ type: 'start', model: 'm' });
    expect(events.at(-1)).toEqual({
      type: 'finish',
      finishReason: 'length',
      usage: { inputTokens: 0, outputTokens: 0 },
    });
  });

  it('handles lines split across chunks', async () => {
    const text = `${JSON.stringify({ message: { content: 'Hello' } })}\n${JSON.stringify(done)}\n`;
    const { events, error } = await drain([text.slice(0, 7), text.slice(7, 30), text.slice(30)]);
    expect(error).toBeUndefined();
    expect(events.map((event) => event.type)).toEqual(['start', 'text-delta', 'finish']);
  });

  it('an {"error":...} line is a ProviderError after the earlier events', async () => {
    const { events, error } = await drain([
      { message: { content: 'partial' } },
      { error: 'an error was encountered while running the model: unexpected EOF' },
    ]);
    expect(events.map((event) => event.type)).toEqual(['start', 'text-delta']);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'upstream', retryable: true, credentialEffect: 'failure' });
    expect((error as Error).message).toMatch(/unexpected EOF/);
  });

  it('a stream that ends without done:true is a retryable connection error', async () => {
    const { events, error } = await drain([{ message: { content: 'partial' } }]);
    expect(events).toHaveLength(2);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'connection', retryable: true });
  });

  it('a line cut in half is a retryable connection error', async () => {
    const { error } = await drain([`${JSON.stringify({ message: { content: 'a' } })}\n{"message":{"cont`]);
    expect(error).toMatchObject({ kind: 'connection', retryable: true });
  });

  it('reads a non-streaming answer with thinking and tool calls in canonical order', () => {
    const result = toChatResult(
      'ollama',
      {
        model: 'qwen3:8b',
        message: {
          role: 'assistant',
          content: 'Checking.',
          thinking: 'Need weather.',
          tool_calls: [{ function: { name: 'get_weather', arguments: { location: 'Paris' } } }],
        },
        done: true,
        done_reason: 'stop',
        prompt_eval_count: 20,
        eval_count: 9,
      },
      'qwen3',
      ['a warning'],
    );
    expect(result).toMatchObject({
      model: 'qwen3:8b',
      finishReason: 'tool-calls',
      usage: { inputTokens: 20, outputTokens: 9 },
      warnings: ['a warning'],
      content: [
        { type: 'reasoning', text: 'Need weather.' },
        { type: 'text', text: 'Checking.' },
        { type: 'tool-call', id: 'call_0', name: 'get_weather', arguments: '{"location":"Paris"}' },
      ],
    });
  });

  it('whatever JSON an upstream sends, only AtelierErrors escape (property)', async () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        try {
          toChatResult('ollama', value, 'm', []);
        } catch (error) {
          expect(error).toBeInstanceOf(AtelierError);
        }
      }),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.jsonValue(), { maxLength: 5 }), async (values) => {
        const { error } = await drain(values.map((value) => `${JSON.stringify(value)}\n`));
        if (error !== undefined) expect(error).toBeInstanceOf(AtelierError);
      }),
      { numRuns: 200 },
    );
  });
});
