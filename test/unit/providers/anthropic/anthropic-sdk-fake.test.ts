/**
 * The official @anthropic-ai/sdk pointed straight at the fake: proof that the fake speaks the real
 * Messages protocol (paths, headers, JSON shapes, SSE framing), so the adapter tests above mean something.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic } from '../../../fakes/anthropic-upstream.js';
import type { FakeUpstream } from '../../../fakes/fake-server.js';

let fake: FakeUpstream;
let client: Anthropic;

beforeAll(async () => {
  fake = await startFakeAnthropic();
  client = new Anthropic({ apiKey: 'sk-ant-sdk', baseURL: fake.url, maxRetries: 0 });
});
afterAll(() => fake.close());

const weatherTool: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Current weather',
  input_schema: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
};

describe('@anthropic-ai/sdk against the fake Anthropic', () => {
  it('creates a message', async () => {
    const message = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      system: 'Be brief.',
      messages: [{ role: 'user', content: 'Hello SDK' }],
    });
    expect(message.type).toBe('message');
    expect(message.content).toEqual([{ type: 'text', text: 'Echo: Hello SDK' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage.output_tokens).toBe(3);
    const sent = fake.requests.at(-1)!;
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers['x-api-key']).toBe('sk-ant-sdk');
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
  });

  it('streams with messages.stream', async () => {
    const stream = client.messages.stream({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      messages: [{ role: 'user', content: 'Stream to me please' }],
    });
    const pieces: string[] = [];
    stream.on('text', (text) => pieces.push(text));
    const message = await stream.finalMessage();
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe('Echo: Stream to me please');
    expect(message.content).toEqual([{ type: 'text', text: 'Echo: Stream to me please' }]);
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 4, output_tokens: 5 });
  });

  it('uses a tool, streamed and not, and answers the tool result', async () => {
    const question: Anthropic.MessageParam = { role: 'user', content: 'What is the weather in Paris?' };
    const streamed = await client.messages
      .stream({ model: 'claude-haiku-4-5', max_tokens: 100, tools: [weatherTool], messages: [question] })
      .finalMessage();
    expect(streamed.stop_reason).toBe('tool_use');
    const call = streamed.content[0] as Anthropic.ToolUseBlock;
    expect(call).toMatchObject({ type: 'tool_use', name: 'get_weather', input: { location: 'Paris' } });

    const followUp = await client.messages.create({
      model: 'claude-haiku-4-5',
      max_tokens: 100,
      tools: [weatherTool],
      messages: [
        question,
        { role: 'assistant', content: streamed.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: call.id, content: '18C' }] },
      ],
    });
    expect(followUp.content).toEqual([{ type: 'text', text: 'Tool get_weather said: 18C' }]);
  });

  it('surfaces the fake errors as the SDK error classes', async () => {
    const limited = new Anthropic({ apiKey: 'fault-429', baseURL: fake.url, maxRetries: 0 });
    const error = await limited.messages
      .create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    expect((error as InstanceType<typeof Anthropic.RateLimitError>).headers.get('retry-after')).toBe('30');
    expect((error as InstanceType<typeof Anthropic.RateLimitError>).requestID).toMatch(/^req_/);

    const overloaded = new Anthropic({ apiKey: 'fault-stream-error', baseURL: fake.url, maxRetries: 0 });
    const streamError = await overloaded.messages
      .stream({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })
      .finalMessage()
      .catch((caught: unknown) => caught);
    expect(streamError).toBeInstanceOf(Anthropic.APIError);
    expect(String(streamError)).toContain('Overloaded');
  });
});
