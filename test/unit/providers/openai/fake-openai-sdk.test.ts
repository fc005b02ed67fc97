/**
 * The official `openai` SDK against the fake upstream: proof that the fake speaks the protocol the SDK
 * expects, so tests built on the fake say something about the real API.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUpstream } from '../../../fakes/fake-server.js';
import { fakeOpenAIModels, startFakeOpenAI } from '../../../fakes/openai-upstream.js';

let fake: FakeUpstream;
const client = (apiKey = 'sk-sdk') => new OpenAI({ apiKey, baseURL: `${fake.url}/v1`, maxRetries: 0 });

beforeAll(async () => {
  fake = await startFakeOpenAI();
});
afterAll(async () => {
  await fake.close();
});

const tools: OpenAI.Chat.ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'get_weather',
      parameters: { type: 'object', properties: { location: { type: 'string' } } },
    },
  },
];

describe('the fake OpenAI upstream, driven by the official SDK', () => {
  it('answers a non-streaming completion', async () => {
    const completion = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hello SDK' }],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]!.message.content).toBe('Echo: Hello SDK');
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 });
    expect(fake.requests.at(-1)!.headers.authorization).toBe('Bearer sk-sdk');
  });

  it('streams with include_usage', async () => {
    const stream = await client().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Stream to me' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let chunks = 0;
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Echo: Stream to me');
    expect(chunks).toBeGreaterThan(5);
    expect(finish).toBe('stop');
    expect(usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 4 });
  });

  it('calls a tool, streamed and not, in the shape the SDK accumulates', async () => {
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'Weather in Paris?' },
    ];
    const completion = await client().chat.completions.create({ model: 'gpt-4o', messages, tools });
    const call = completion.choices[0]!.message.tool_calls![0]!;
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
    expect(call.type === 'function' && call.function).toEqual({
      name: 'get_weather',
      arguments: '{"location":"Paris"}',
    });

    // The SDK's stream helper rebuilds tool calls from deltas and rejects malformed fragments.
    const runner = client().chat.completions.stream({ model: 'gpt-4o', messages, tools });
    const final = await runner.finalChatCompletion();
    const streamedCall = final.choices[0]!.message.tool_calls![0]!;
    expect(streamedCall.type === 'function' && streamedCall.function.arguments).toBe('{"location":"Paris"}');
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');

    const answer = await client().chat.completions.create({
      model: 'gpt-4o',
      tools,
      messages: [
        ...messages,
        completion.choices[0]!.message,
        { role: 'tool', tool_call_id: call.id, content: '21 degrees' },
      ],
    });
    expect(answer.choices[0]!.message.content).toBe('Tool get_weather said: 21 degrees');
  });

  it('lists models', async () => {
    const page = await client().models.list();
    expect(page.data.map((model) => model.id)).toEqual(fakeOpenAIModels);
  });

  it('fails in the SDK error classes OpenAI produces', async () => {
    const limited = client('fault-429').chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
    });
    await expect(limited).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    await expect(limited).rejects.toMatchObject({ status: 429, code: 'rate_limit_exceeded' });

    const unauthorised = client('fault-401').chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
    });
    await expect(unauthorised).rejects.toBeInstanceOf(OpenAI.AuthenticationError);

    const missing = client().chat.completions.create({ model: 'm' } as never);
    await expect(missing).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(missing).rejects.toMatchObject({ param: 'messages', code: 'missing_required_parameter' });
  });
});
