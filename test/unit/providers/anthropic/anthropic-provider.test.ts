import type { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../../src/errors/index.js';
import { readText } from '../../../../src/providers/http/upstream-client.js';
import { createAnthropicProvider } from '../../../../src/providers/anthropic/index.js';
import type { ChatCapability, ChatRequest, Provider } from '../../../../src/providers/spec.js';
import { fakeAnthropicModels, startFakeAnthropic } from '../../../fakes/anthropic-upstream.js';
import type { FakeUpstream } from '../../../fakes/fake-server.js';
import { callOptions, collect, settingsFor, textOf } from './harness.js';

let fake: FakeUpstream;
let provider: Provider;
let chat: ChatCapability;

beforeAll(async () => {
  fake = await startFakeAnthropic();
  provider = createAnthropicProvider(settingsFor(fake));
  chat = provider.chat!;
});
afterAll(() => fake.close());

const lastRequest = () => fake.requests.at(-1)!;

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather',
  parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
};

function chatRequest(overrides: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: 'claude-sonnet-4-5',
    messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello there' }] }],
    stream: false,
    ...overrides,
  };
}

describe('anthropic provider', () => {
  it('describes itself', () => {
    expect(provider).toMatchObject({ specificationVersion: 'v1', id: 'anthropic-test', type: 'anthropic' });
    expect(chat.protocol).toBe('anthropic');
  });

  it('generates a text answer and sends a proper Messages request', async () => {
    const result = await chat.generate(chatRequest({ system: 'Be kind.', temperature: 0.2 }), callOptions());
    expect(result).toMatchObject({
      model: 'claude-sonnet-4-5',
      content: [{ type: 'text', text: 'Echo: Hello there' }],
      finishReason: 'stop',
      usage: { inputTokens: 4, outputTokens: 3 },
    });
    expect(result.id).toMatch(/^msg_/);
    expect(result.warnings).toBeUndefined();

    const sent = lastRequest();
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/v1/messages');
    expect(sent.headers['x-api-key']).toBe('sk-ant-good');
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      system: 'Be kind.',
      temperature: 0.2,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello there' }] }],
    });
  });

  it('sends OAuth tokens as a bearer authorization', async () => {
    await chat.generate(chatRequest(), callOptions('oauth-access-token', 'oauth'));
    const sent = lastRequest();
    expect(sent.headers.authorization).toBe('Bearer oauth-access-token');
    expect(sent.headers['x-api-key']).toBeUndefined();
    expect(sent.headers['anthropic-beta']).toBe('oauth-2025-04-20');
  });

  it('keeps provider headers and configured betas beside the OAuth beta', async () => {
    const configured = createAnthropicProvider({
      ...settingsFor(fake),
      headers: { 'anthropic-beta': 'context-1m-2025-08-07', 'x-team': 'studio' },
    });
    await configured.chat!.generate(chatRequest(), callOptions('oauth-access-token', 'oauth'));
    expect(lastRequest().headers).toMatchObject({
      'anthropic-beta': 'context-1m-2025-08-07,oauth-2025-04-20',
      'x-team': 'studio',
      authorization: 'Bearer oauth-access-token',
    });
  });

  it('sends images (base64, url, data URL) and reports unsupported settings as warnings', async () => {
    const result = await chat.generate(
      chatRequest({
        maxOutputTokens: 300,
        seed: 7,
        responseFormat: { type: 'json' },
        temperature: 1.6,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Describe these' },
              { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
              { type: 'image', source: { kind: 'url', url: 'https://example.com/a.jpg' } },
              { type: 'image', source: { kind: 'url', url: 'data:image/webp;base64,UklGRg==' } },
            ],
          },
        ],
      }),
      callOptions(),
    );
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: Describe these [images: 3]' }]);
    expect(result.warnings).toEqual([
      "temperature 1.6 is above Anthropic's maximum of 1 and was lowered to 1",
      'seed is not supported by Anthropic and was ignored',
      'Anthropic has no JSON response mode; response_format was ignored (ask for JSON in the prompt)',
    ]);
    const body = lastRequest().body as {
      max_tokens: number;
      temperature: number;
      messages: Array<{ content: unknown[] }>;
    };
    expect(body.max_tokens).toBe(300);
    expect(body.temperature).toBe(1);
    expect(body.messages[0]!.content.slice(1)).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/a.jpg' } },
      { type: 'image', source: { type: 'base64', media_type: 'image/webp', data: 'UklGRg==' } },
    ]);
  });

  it('honours stop sequences and max tokens', async () => {
    const stopped = await chat.generate(
      chatRequest({
        stopSequences: ['there'],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi there friend' }] }],
      }),
      callOptions(),
    );
    expect((lastRequest().body as { stop_sequences: string[] }).stop_sequences).toEqual(['there']);
    expect(stopped).toMatchObject({
      content: [{ type: 'text', text: 'Echo: Hi ' }],
      finishReason: 'stop',
      stopSequence: 'there',
    });

    const cut = await chat.generate(chatRequest({ maxOutputTokens: 2 }), callOptions());
    expect(cut).toMatchObject({ content: [{ type: 'text', text: 'Echo: Hello' }], finishReason: 'length' });
    expect(cut.stopSequence).toBeUndefined();
  });

  it('calls a tool, sending tools and tool_choice', async () => {
    const result = await chat.generate(
      chatRequest({
        tools: [weatherTool],
        toolChoice: { type: 'required' },
        parallelToolCalls: false,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'What is the weather in Paris?' }] }],
      }),
      callOptions(),
    );
    expect(result.finishReason).toBe('tool-calls');
    expect(result.content).toEqual([
      {
        type: 'tool-call',
        id: expect.stringMatching(/^toolu_/),
        name: 'get_weather',
        arguments: '{"location":"Paris"}',
      },
    ]);
    const body = lastRequest().body as Record<string, unknown>;
    expect(body.tools).toEqual([
      { name: 'get_weather', description: 'Current weather', input_schema: weatherTool.parameters },
    ]);
    expect(body.tool_choice).toEqual({ type: 'any', disable_parallel_tool_use: true });
  });

  it('sends tool results as tool_result blocks, merging same-role turns', async () => {
    const result = await chat.generate(
      chatRequest({
        tools: [weatherTool],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
          { role: 'user', content: [{ type: 'text', text: 'Please.' }] },
          {
            role: 'assistant',
            content: [
              { type: 'reasoning', text: 'from another vendor' },
              { type: 'text', text: '' },
              { type: 'tool-call', id: 'call_1', name: 'get_weather', arguments: '{"location":"Paris"}' },
            ],
          },
          {
            role: 'tool',
            content: [
              {
                type: 'tool-result',
                toolCallId: 'call_1',
                toolName: 'get_weather',
                content: '18C and sunny',
              },
            ],
          },
        ],
      }),
      callOptions(),
    );
    expect(result.content).toEqual([{ type: 'text', text: 'Tool get_weather said: 18C and sunny' }]);
    expect((lastRequest().body as { messages: unknown }).messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Weather in Paris?' },
          { type: 'text', text: 'Please.' },
        ],
      },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { location: 'Paris' } }],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: '18C and sunny' }] },
    ]);
  });

  it('streams text as canonical events with usage on finish', async () => {
    const events = await collect(await chat.stream(chatRequest({ stream: true }), callOptions()));
    expect((lastRequest().body as { stream: boolean }).stream).toBe(true);
    expect(events[0]).toEqual({
      type: 'start',
      id: expect.stringMatching(/^msg_/),
      model: 'claude-sonnet-4-5',
    });
    expect(events.filter((event) => event.type === 'text-delta').length).toBeGreaterThan(3);
    expect(textOf(events)).toBe('Echo: Hello there');
    expect(events.at(-1)).toEqual({
      type: 'finish',
      finishReason: 'stop',
      usage: { inputTokens: 2, outputTokens: 3 },
    });
  });

  it('streams a tool call with canonical index 0 and the arguments in fragments', async () => {
    const events = await collect(
      await chat.stream(
        chatRequest({
          stream: true,
          tools: [weatherTool],
          messages: [{ role: 'user', content: [{ type: 'text', text: 'weather?' }] }],
        }),
        callOptions(),
      ),
    );
    const start = events.find((event) => event.type === 'tool-call-start');
    expect(start).toEqual({
      type: 'tool-call-start',
      index: 0,
      id: expect.stringMatching(/^toolu_/),
      name: 'get_weather',
    });
    const deltas = events.filter((event) => event.type === 'tool-call-delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.every((event) => event.index === 0)).toBe(true);
    expect(deltas.map((event) => event.argumentsDelta).join('')).toBe('{"location":"Paris"}');
    expect(events.at(-1)).toMatchObject({
      type: 'finish',
      finishReason: 'tool-calls',
      usage: { outputTokens: 5 },
    });
  });

  it('streams the stop sequence that ended the answer', async () => {
    const events = await collect(
      await chat.stream(chatRequest({ stream: true, stopSequences: ['there'] }), callOptions()),
    );
    expect(textOf(events)).toBe('Echo: Hello ');
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'stop', stopSequence: 'there' });
  });

  describe('relay', () => {
    // Ids differ per answer; everything else must be byte for byte what the fake sends.
    const normalise = (text: string) => text.replace(/(msg|toolu|req)_fake\d+/g, '$1_ID');

    async function direct(body: Record<string, unknown>): Promise<{ contentType: string; text: string }> {
      const response = await request(`${fake.url}/v1/messages`, {
        method: 'POST',
        headers: {
          'x-api-key': 'sk-ant-good',
          'anthropic-version': '2023-06-01',
          'content-type': 'application/json',
        },
        body: JSON.stringify(body),
      });
      return { contentType: String(response.headers['content-type']), text: await response.body.text() };
    }

    it.each([false, true])(
      'passes the client body through and the answer back unchanged (stream %s)',
      async (stream) => {
        const body = {
          model: 'claude-sonnet-4-5',
          max_tokens: 64,
          system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
          messages: [{ role: 'user', content: 'Relay me' }],
          metadata: { user_id: 'u-1' },
          ...(stream && { stream: true }),
        };
        const relayed = await chat.relay!({ body, stream, model: 'claude-sonnet-4-5' }, callOptions());
        const relayedText = await readText(relayed.body as Readable);
        expect(JSON.stringify(lastRequest().body)).toBe(JSON.stringify(body));
        expect(lastRequest().headers['x-api-key']).toBe('sk-ant-good');

        const expected = await direct(body);
        expect(relayed.status).toBe(200);
        expect(relayed.contentType).toBe(expected.contentType);
        expect(normalise(relayedText)).toBe(normalise(expected.text));
        expect(relayedText).toContain(stream ? 'text_delta' : '"text":"Echo: Relay me"');
      },
    );

    it('throws the upstream error as a ProviderError keeping its body', async () => {
      const error = await chat.relay!(
        { body: { model: 'claude-sonnet-4-5', messages: [] }, stream: false, model: 'claude-sonnet-4-5' },
        callOptions(),
      ).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(ProviderError);
      expect(error).toMatchObject({
        status: 400,
        kind: 'invalid_request',
        retryable: false,
        message: 'max_tokens: Field required',
      });
      expect(JSON.parse((error as ProviderError).upstreamBody!)).toMatchObject({
        type: 'error',
        error: { type: 'invalid_request_error', message: 'max_tokens: Field required' },
      });
    });
  });

  it('lists models', async () => {
    await expect(provider.listModels!(callOptions())).resolves.toEqual(fakeAnthropicModels);
    const sent = lastRequest();
    expect(sent.method).toBe('GET');
    expect(sent.path).toBe('/v1/models');
    expect(sent.headers['x-api-key']).toBe('sk-ant-good');
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
  });
});
