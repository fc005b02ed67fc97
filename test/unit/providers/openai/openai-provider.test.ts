import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readText } from '../../../../src/providers/http/upstream-client.js';
import type { Agent } from 'undici';
import type { ChatCapability, Provider } from '../../../../src/providers/spec.js';
import type { FakeUpstream } from '../../../fakes/fake-server.js';
import { fakeOpenAIModels, startFakeOpenAI } from '../../../fakes/openai-upstream.js';
import { callOptions, chatRequest, collect, openAIProviderFor, textOf } from './openai-test-kit.js';

let fake: FakeUpstream;
let provider: Provider;
let chat: ChatCapability;
let dispatcher: Agent;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  ({ provider, dispatcher } = openAIProviderFor(fake));
  chat = provider.chat!;
});
afterAll(async () => {
  await dispatcher.close();
  await fake.close();
});

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather',
  parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
};

describe('OpenAI provider against the fake upstream', () => {
  it('describes itself', () => {
    expect(provider).toMatchObject({ specificationVersion: 'v1', id: 'openai-test', type: 'openai' });
    expect(chat.protocol).toBe('openai');
  });

  it('generates text and sends the mapped request with a bearer token', async () => {
    const result = await chat.generate(
      chatRequest({ system: 'Be kind.', stopSequences: ['STOP'], temperature: 0.5, maxOutputTokens: 64 }),
      callOptions('sk-good'),
    );
    expect(result).toMatchObject({
      model: 'gpt-4o-mini',
      content: [{ type: 'text', text: 'Echo: Hello there' }],
      finishReason: 'stop',
      usage: { inputTokens: 4, outputTokens: 3, cachedInputTokens: 0, reasoningTokens: 0 },
    });
    expect(result.id).toMatch(/^chatcmpl-fake/);
    expect(result.warnings).toBeUndefined();

    const sent = fake.requests.at(-1)!;
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe('Bearer sk-good');
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.body).toEqual({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be kind.' },
        { role: 'user', content: 'Hello there' },
      ],
      stop: ['STOP'],
      temperature: 0.5,
      max_completion_tokens: 64,
    });
  });

  it('honours stop sequences and token limits as the upstream reports them', async () => {
    const stopped = await chat.generate(chatRequest({ stopSequences: [' there'] }), callOptions());
    expect(stopped.content).toEqual([{ type: 'text', text: 'Echo: Hello' }]);
    const cut = await chat.generate(chatRequest({ maxOutputTokens: 1 }), callOptions());
    expect(cut.content).toEqual([{ type: 'text', text: 'Echo:' }]);
    expect(cut.finishReason).toBe('length');
  });

  it('sends images as image_url parts (https and data URLs)', async () => {
    const result = await chat.generate(
      chatRequest({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Describe' },
              { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.png' } },
              { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
            ],
          },
        ],
      }),
      callOptions(),
    );
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: Describe [images: 2]' }]);
    expect((fake.requests.at(-1)!.body as { messages: unknown[] }).messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Describe' },
          { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
          { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
        ],
      },
    ]);
  });

  it('returns a tool call, then answers the tool result', async () => {
    const first = await chat.generate(
      chatRequest({
        messages: [{ role: 'user', content: [{ type: 'text', text: 'What is the weather in Paris?' }] }],
        tools: [weatherTool],
        toolChoice: { type: 'auto' },
      }),
      callOptions(),
    );
    expect(first.finishReason).toBe('tool-calls');
    expect(first.content).toHaveLength(1);
    const call = first.content[0]!;
    expect(call).toMatchObject({ type: 'tool-call', name: 'get_weather', arguments: '{"location":"Paris"}' });
    expect((fake.requests.at(-1)!.body as Record<string, unknown>)['tools']).toEqual([
      { type: 'function', function: weatherTool },
    ]);
    expect((fake.requests.at(-1)!.body as Record<string, unknown>)['tool_choice']).toBe('auto');

    const callId = call.type === 'tool-call' ? call.id : '';
    const second = await chat.generate(
      chatRequest({
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'What is the weather in Paris?' }] },
          { role: 'assistant', content: first.content },
          {
            role: 'tool',
            content: [
              { type: 'tool-result', toolCallId: callId, toolName: 'get_weather', content: '22C and sunny' },
            ],
          },
        ],
        tools: [weatherTool],
      }),
      callOptions(),
    );
    expect(second.content).toEqual([{ type: 'text', text: 'Tool get_weather said: 22C and sunny' }]);
    expect((fake.requests.at(-1)!.body as { messages: unknown[] }).messages.slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: callId,
            type: 'function',
            function: { name: 'get_weather', arguments: '{"location":"Paris"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: callId, content: '22C and sunny' },
    ]);
  });

  it('reads reasoning_content from servers that send it', async () => {
    const result = await chat.generate(chatRequest({ model: 'deepseek-reasoner' }), callOptions());
    expect(result.content).toEqual([
      { type: 'reasoning', text: 'Thinking about: Hello there' },
      { type: 'text', text: 'Echo: Hello there' },
    ]);
    expect(result.usage.reasoningTokens).toBe(4);
  });

  it('takes the first choice when n > 1 and says so', async () => {
    const result = await chat.generate(chatRequest({ candidateCount: 2 }), callOptions());
    expect((fake.requests.at(-1)!.body as Record<string, unknown>)['n']).toBe(2);
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: Hello there' }]);
    expect(result.warnings).toEqual(['n=2: only the first choice is returned.']);
  });

  it('streams text in many deltas with usage, asking for include_usage', async () => {
    const events = await collect(await chat.stream(chatRequest({ stream: true }), callOptions()));
    const sent = fake.requests.at(-1)!;
    expect(sent.headers.accept).toBe('text/event-stream');
    expect(sent.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });

    expect(events[0]).toMatchObject({ type: 'start', model: 'gpt-4o-mini' });
    expect(events.filter((event) => event.type === 'text-delta').length).toBeGreaterThan(3);
    expect(textOf(events)).toBe('Echo: Hello there');
    const usage = { inputTokens: 2, outputTokens: 3, cachedInputTokens: 0, reasoningTokens: 0 };
    expect(events.at(-2)).toEqual({ type: 'usage', usage });
    expect(events.at(-1)).toEqual({ type: 'finish', finishReason: 'stop', usage });
  });

  it('streams reasoning deltas before text', async () => {
    const events = await collect(
      await chat.stream(chatRequest({ model: 'deepseek-reasoner', stream: true }), callOptions()),
    );
    const reasoning = events
      .flatMap((event) => (event.type === 'reasoning-delta' ? [event.text] : []))
      .join('');
    expect(reasoning).toBe('Thinking about: Hello there');
    const firstText = events.findIndex((event) => event.type === 'text-delta');
    const lastReasoning = events.findLastIndex((event) => event.type === 'reasoning-delta');
    expect(lastReasoning).toBeLessThan(firstText);
  });

  it('streams a tool call as start then argument deltas', async () => {
    const events = await collect(
      await chat.stream(
        chatRequest({
          stream: true,
          messages: [{ role: 'user', content: [{ type: 'text', text: 'weather in Paris?' }] }],
          tools: [weatherTool],
        }),
        callOptions(),
      ),
    );
    const starts = events.filter((event) => event.type === 'tool-call-start');
    expect(starts).toEqual([
      { type: 'tool-call-start', index: 0, id: expect.stringMatching(/^call_/), name: 'get_weather' },
    ]);
    const argumentDeltas = events.flatMap((event) =>
      event.type === 'tool-call-delta' ? [event.argumentsDelta] : [],
    );
    expect(argumentDeltas.length).toBeGreaterThan(1);
    expect(argumentDeltas.join('')).toBe('{"location":"Paris"}');
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'tool-calls' });
  });

  it('follows only the first choice of a stream with n > 1', async () => {
    const events = await collect(
      await chat.stream(chatRequest({ stream: true, candidateCount: 3 }), callOptions()),
    );
    expect(textOf(events)).toBe('Echo: Hello there');
  });

  it('relays a streaming body byte for byte without adding fields', async () => {
    const body = {
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Relay me' }],
      stream: true,
      stream_options: { include_usage: true },
      custom_vendor_field: 'kept',
    };
    const relayed = await chat.relay!({ body, stream: true, model: 'gpt-4o-mini' }, callOptions('sk-relay'));
    expect(relayed.status).toBe(200);
    expect(relayed.contentType).toBe('text/event-stream; charset=utf-8');
    const relayedText = await readText(relayed.body);
    const sent = fake.requests.at(-1)!;
    expect(sent.body).toEqual(body);
    expect(sent.headers.authorization).toBe('Bearer sk-relay');

    // The same request sent straight to the fake gives the same bytes, apart from the fresh id and clock.
    const direct = await request(`${fake.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-relay', 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const directText = await direct.body.text();
    const normalise = (text: string) =>
      text
        .replace(/chatcmpl-fake\d+/g, 'ID')
        .replace(/call_fake\d+/g, 'CALL')
        .replace(/"created":\d+/g, '"created":0');
    expect(normalise(relayedText)).toBe(normalise(directText));
    expect(relayedText.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(relayedText).toContain('"usage":{"prompt_tokens"');
  });

  it('relays a non-streaming body as JSON', async () => {
    const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Plain relay' }] };
    const relayed = await chat.relay!({ body, stream: false, model: 'gpt-4o-mini' }, callOptions());
    expect(relayed.contentType).toBe('application/json');
    const json = JSON.parse(await readText(relayed.body)) as {
      object: string;
      choices: Array<{ message: { content: string } }>;
    };
    expect(json.object).toBe('chat.completion');
    expect(json.choices[0]!.message.content).toBe('Echo: Plain relay');
    expect(fake.requests.at(-1)!.body).toEqual(body);
  });

  it('passes an upstream 400 for a body without messages through as a ProviderError', async () => {
    const failure = chat.relay!(
      { body: { model: 'gpt-4o-mini' }, stream: false, model: 'gpt-4o-mini' },
      callOptions(),
    );
    await expect(failure).rejects.toMatchObject({
      name: 'ProviderError',
      status: 400,
      kind: 'invalid_request',
      code: 'missing_required_parameter',
      param: 'messages',
      message: "Missing required parameter: 'messages'.",
      retryable: false,
      credentialEffect: 'none',
    });
  });

  it('lists models', async () => {
    expect(await provider.listModels!(callOptions('sk-list'))).toEqual(fakeOpenAIModels);
    const sent = fake.requests.at(-1)!;
    expect(sent.method).toBe('GET');
    expect(sent.path).toBe('/v1/models');
    expect(sent.headers.authorization).toBe('Bearer sk-list');
  });
});
