import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent, request as undiciRequest } from 'undici';
import { ProviderError } from '../../../../src/errors/index.js';
import { createGeminiProvider } from '../../../../src/providers/gemini/index.js';
import { readText } from '../../../../src/providers/http/upstream-client.js';
import type {
  CallOptions,
  ChatRequest,
  ChatStreamEvent,
  Provider,
  ProviderSettings,
} from '../../../../src/providers/spec.js';
import type { FakeUpstream } from '../../../fakes/fake-server.js';
import { FAKE_GEMINI_MODELS, startFakeGemini } from '../../../fakes/gemini-upstream.js';

let fake: FakeUpstream;
let dispatcher: Agent;
let provider: Provider;
let ids = 0;

function settings(overrides: Partial<ProviderSettings> = {}): ProviderSettings {
  return { id: 'gemini-test', baseURL: fake.url, dispatcher, timeoutMs: 2_000, ...overrides };
}

const options = (apiKey = 'good-key', scheme?: 'oauth'): CallOptions => ({
  credential: { id: 'cred-1', apiKey, ...(scheme ? { scheme } : {}) },
  signal: new AbortController().signal,
});

const request = (overrides: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'gemini-2.5-flash',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello there' }] }],
  stream: false,
  ...overrides,
});

const weatherTool = {
  name: 'get_weather',
  description: 'Weather for a city',
  parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
};

async function collect(events: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const out: ChatStreamEvent[] = [];
  for await (const event of events) out.push(event);
  return out;
}

const lastRequest = () => fake.requests.at(-1)!;

/** The bytes the fake answers when asked without Atelier in between. */
async function directly(method: string, body: unknown): Promise<string> {
  const response = await undiciRequest(`${fake.url}/v1beta/models/${method}`, {
    method: 'POST',
    headers: { 'x-goog-api-key': 'good-key', 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return response.body.text();
}

beforeAll(async () => {
  fake = await startFakeGemini();
  dispatcher = new Agent({ keepAliveTimeout: 10_000 });
  provider = createGeminiProvider(settings(), { createId: (prefix) => `${prefix}${ids++}` });
});

afterAll(async () => {
  await dispatcher.close();
  await fake.close();
});

describe('gemini provider: generate', () => {
  it('sends a generateContent request with the API key header and maps the answer', async () => {
    const result = await provider.chat!.generate(
      request({
        system: 'Be terse.',
        temperature: 0.3,
        topP: 0.8,
        topK: 20,
        maxOutputTokens: 100,
        stopSequences: ['STOP'],
        seed: 4,
        presencePenalty: 0.5,
        frequencyPenalty: 0.25,
      }),
      options(),
    );
    const sent = lastRequest();
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(sent.headers['x-goog-api-key']).toBe('good-key');
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Hello there' }] }],
      systemInstruction: { parts: [{ text: 'Be terse.' }] },
      generationConfig: {
        temperature: 0.3,
        topP: 0.8,
        topK: 20,
        maxOutputTokens: 100,
        stopSequences: ['STOP'],
        seed: 4,
        presencePenalty: 0.5,
        frequencyPenalty: 0.25,
      },
    });
    expect(result).toMatchObject({
      model: 'gemini-2.5-flash',
      content: [{ type: 'text', text: 'Echo: Hello there' }],
      finishReason: 'stop',
      usage: { inputTokens: 4, outputTokens: 3 },
    });
    expect(result.id).toMatch(/\w+/);
    expect(result.warnings).toBeUndefined();
  });

  it('sends an OAuth token as a bearer header', async () => {
    await provider.chat!.generate(request(), options('oauth-token', 'oauth'));
    expect(lastRequest().headers.authorization).toBe('Bearer oauth-token');
    expect(lastRequest().headers['x-goog-api-key']).toBeUndefined();
  });

  it('honours stop sequences and max tokens as the upstream reports them', async () => {
    const stopped = await provider.chat!.generate(request({ stopSequences: [' there'] }), options());
    expect(stopped.content).toEqual([{ type: 'text', text: 'Echo: Hello' }]);
    const cut = await provider.chat!.generate(request({ maxOutputTokens: 2 }), options());
    expect(cut).toMatchObject({ content: [{ type: 'text', text: 'Echo: Hello' }], finishReason: 'length' });
  });

  it('sends images as inlineData and URL images as fileData with a guessed mime type', async () => {
    const result = await provider.chat!.generate(
      request({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Describe' },
              { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: 'iVBORw0KGgo=' } },
              {
                type: 'image',
                source: { kind: 'url', url: 'https://example.com/photos/cat.webp?size=large' },
              },
              { type: 'image', source: { kind: 'url', url: 'data:image/gif;base64,R0lGOD' } },
            ],
          },
        ],
      }),
      options(),
    );
    expect((lastRequest().body as { contents: unknown[] }).contents).toEqual([
      {
        role: 'user',
        parts: [
          { text: 'Describe' },
          { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
          { fileData: { mimeType: 'image/webp', fileUri: 'https://example.com/photos/cat.webp?size=large' } },
          { inlineData: { mimeType: 'image/gif', data: 'R0lGOD' } },
        ],
      },
    ]);
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: Describe [images: 3]' }]);
  });

  it('offers tools, maps a function call, then sends the tool result back as functionResponse', async () => {
    const first = await provider.chat!.generate(
      request({
        messages: [{ role: 'user', content: [{ type: 'text', text: 'What is the weather in Paris?' }] }],
        tools: [weatherTool],
        toolChoice: { type: 'tool', name: 'get_weather' },
        responseFormat: { type: 'json', schema: { type: 'object' } },
        parallelToolCalls: false,
        candidateCount: 2,
      }),
      options(),
    );
    expect(lastRequest().body).toMatchObject({
      tools: [
        {
          functionDeclarations: [
            {
              name: 'get_weather',
              description: 'Weather for a city',
              parametersJsonSchema: weatherTool.parameters,
            },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } },
      generationConfig: { responseMimeType: 'application/json', responseJsonSchema: { type: 'object' } },
    });
    expect(first.finishReason).toBe('tool-calls');
    expect(first.warnings).toHaveLength(2);
    const call = first.content[0]!;
    expect(call).toMatchObject({ type: 'tool-call', name: 'get_weather', arguments: '{"location":"Paris"}' });
    expect(call.type === 'tool-call' && call.id).toMatch(/^call_\d+$/);

    const callId = call.type === 'tool-call' ? call.id : '';
    const second = await provider.chat!.generate(
      request({
        model: 'gemini-3-pro-preview',
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'What is the weather in Paris?' }] },
          { role: 'assistant', content: [{ type: 'reasoning', text: 'thinking' }, call] },
          {
            role: 'tool',
            content: [
              { type: 'tool-result', toolCallId: callId, toolName: 'get_weather', content: 'Sunny, 21C' },
            ],
          },
        ],
        tools: [weatherTool],
        toolChoice: { type: 'none' },
      }),
      options(),
    );
    expect(lastRequest().path).toBe('/v1beta/models/gemini-3-pro-preview:generateContent');
    expect(lastRequest().body).toMatchObject({
      contents: [
        { role: 'user', parts: [{ text: 'What is the weather in Paris?' }] },
        {
          role: 'model',
          parts: [
            {
              functionCall: { id: callId, name: 'get_weather', args: { location: 'Paris' } },
              thoughtSignature: 'skip_thought_signature_validator',
            },
          ],
        },
        {
          role: 'user',
          parts: [
            { functionResponse: { id: callId, name: 'get_weather', response: { result: 'Sunny, 21C' } } },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'NONE' } },
    });
    expect(second.content).toEqual([{ type: 'text', text: 'Tool get_weather said: Sunny, 21C' }]);
  });

  it('turns a blocked prompt into a non-retryable content_policy error', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 3 } }),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const blocked = createGeminiProvider(settings({ baseURL: `http://127.0.0.1:${port}` }));
    const error = await blocked.chat!.generate(request(), options()).catch((caught: unknown) => caught);
    server.close();
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'content_policy', retryable: false, credentialEffect: 'none' });
  });
});

describe('gemini provider: stream', () => {
  it('streams text deltas from alt=sse chunks and finishes with usage', async () => {
    const events = await collect(await provider.chat!.stream(request({ stream: true }), options()));
    const sent = lastRequest();
    expect(sent.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent');
    expect(sent.query.get('alt')).toBe('sse');
    expect(events[0]).toMatchObject({ type: 'start', model: 'gemini-2.5-flash' });
    const deltas = events.filter((event) => event.type === 'text-delta');
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.map((event) => (event.type === 'text-delta' ? event.text : '')).join('')).toBe(
      'Echo: Hello there',
    );
    expect(events.at(-1)).toEqual({
      type: 'finish',
      finishReason: 'stop',
      usage: { inputTokens: 2, outputTokens: 3 },
    });
  });

  it('streams a function call as a start and one delta with the whole arguments', async () => {
    const events = await collect(
      await provider.chat!.stream(
        request({
          stream: true,
          messages: [{ role: 'user', content: [{ type: 'text', text: 'weather please' }] }],
          tools: [weatherTool],
        }),
        options(),
      ),
    );
    expect(events.slice(1)).toEqual([
      { type: 'tool-call-start', index: 0, id: expect.stringMatching(/^call_/), name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"location":"Paris"}' },
      { type: 'finish', finishReason: 'tool-calls', usage: { inputTokens: 2, outputTokens: 5 } },
    ]);
  });
});

describe('gemini provider: relay', () => {
  it('posts the client body unchanged and relays the bytes as the fake sent them', async () => {
    const body = {
      contents: [{ parts: [{ text: 'Relay me' }] }],
      generation_config: { temperature: 0.1 },
      safetySettings: [{ category: 'HARM_CATEGORY_HATE_SPEECH', threshold: 'BLOCK_NONE' }],
    };
    const relayed = await provider.chat!.relay!(
      { body, stream: false, model: 'gemini-2.0-flash' },
      options(),
    );
    expect(relayed.status).toBe(200);
    expect(relayed.contentType).toBe('application/json; charset=UTF-8');
    const text = await readText(relayed.body);
    expect(lastRequest().path).toBe('/v1beta/models/gemini-2.0-flash:generateContent');
    expect(lastRequest().body).toEqual(body);
    expect(text).toBe(await directly('gemini-2.0-flash:generateContent', body));
    expect(JSON.parse(text)).toMatchObject({
      candidates: [{ content: { parts: [{ text: 'Echo: Relay me' }] } }],
    });
  });

  it('relays an SSE stream byte for byte', async () => {
    const body = { contents: [{ role: 'user', parts: [{ text: 'Stream me' }] }] };
    const relayed = await provider.chat!.relay!({ body, stream: true, model: 'gemini-2.5-flash' }, options());
    expect(relayed.contentType).toBe('text/event-stream');
    const text = await readText(relayed.body);
    expect(lastRequest().query.get('alt')).toBe('sse');
    expect(text).toBe(await directly('gemini-2.5-flash:streamGenerateContent?alt=sse', body));
    const frames = text.split('\r\n\r\n').filter(Boolean);
    expect(frames.length).toBeGreaterThan(2);
    for (const frame of frames) expect(frame.startsWith('data: {"candidates"')).toBe(true);
    expect(JSON.parse(frames.at(-1)!.slice(6))).toMatchObject({ candidates: [{ finishReason: 'STOP' }] });
  });

  it('throws upstream failures as ProviderError instead of relaying them', async () => {
    const error = await provider.chat!.relay!(
      { body: { contents: [{ parts: [{ text: 'x' }] }] }, stream: false, model: 'gemini-2.5-flash' },
      options('fault-500'),
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ kind: 'upstream', retryable: true, upstreamStatus: 500 });
    expect((error as ProviderError).upstreamBody).toContain('"status": "INTERNAL"');
  });
});

describe('gemini provider: listModels', () => {
  it('follows nextPageToken and strips the models/ prefix', async () => {
    const before = fake.requests.length;
    const models = await provider.listModels!(options());
    expect(models).toEqual(FAKE_GEMINI_MODELS);
    const pages = fake.requests.slice(before);
    expect(pages.length).toBe(3);
    expect(pages.every((page) => page.method === 'GET' && page.path === '/v1beta/models')).toBe(true);
    expect(pages[0]!.query.get('pageToken')).toBeNull();
    expect(pages[1]!.query.get('pageToken')).toBeTruthy();
    expect(pages[0]!.headers['x-goog-api-key']).toBe('good-key');
  });

  it('classifies a listing failure', async () => {
    await expect(provider.listModels!(options('fault-401'))).rejects.toMatchObject({
      kind: 'authentication',
    });
  });
});
