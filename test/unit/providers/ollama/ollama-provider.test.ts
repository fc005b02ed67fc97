import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRequestError, ProviderError } from '../../../../src/errors/index.js';
import { createOllamaProvider } from '../../../../src/providers/ollama/index.js';
import type {
  CallOptions,
  ChatCapability,
  ChatRequest,
  ChatStreamEvent,
  Provider,
} from '../../../../src/providers/spec.js';
import { FAKE_OLLAMA_MODELS, startFakeOllama } from '../../../fakes/ollama-upstream.js';
import type { FakeUpstream, RecordedRequest } from '../../../fakes/fake-server.js';

let fake: FakeUpstream;
let dispatcher: Agent;
let provider: Provider;
let chat: ChatCapability;

beforeAll(async () => {
  fake = await startFakeOllama();
  dispatcher = new Agent({ keepAliveTimeout: 10_000 });
  provider = createOllamaProvider({ id: 'ollama-local', baseURL: fake.url, dispatcher, timeoutMs: 2_000 });
  chat = provider.chat!;
});

afterAll(async () => {
  await fake.close();
  await dispatcher.close();
});

function call(apiKey = ''): CallOptions {
  return { credential: { id: 'credential-1', apiKey }, signal: new AbortController().signal };
}

function userText(text: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return {
    model: 'llama3.2',
    messages: [{ role: 'user', content: [{ type: 'text', text }] }],
    stream: false,
    ...extra,
  };
}

function lastRequest(): RecordedRequest {
  return fake.requests.at(-1)!;
}

async function collect(events: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
  const all: ChatStreamEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

const weatherTool = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
};

describe('Ollama provider', () => {
  it('describes itself', () => {
    expect(provider.type).toBe('ollama');
    expect(chat.protocol).toBe('ollama');
    expect(chat.specificationVersion).toBe('v1');
    expect(chat.relay).toBeUndefined();
  });

  it('generates a non-streaming answer with the system prompt first', async () => {
    const result = await chat.generate(userText('hello there', { system: 'Be brief.' }), call());
    const sent = lastRequest();
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/api/chat');
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.body).toEqual({
      model: 'llama3.2',
      stream: false,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello there' },
      ],
    });
    expect(result.model).toBe('llama3.2:latest');
    expect(result.id).toMatch(/^ollama-/);
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: hello there' }]);
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toEqual({ inputTokens: 4, outputTokens: 3 });
    expect(result.warnings).toBeUndefined();
  });

  it('sends the bearer token only when the key is non-empty', async () => {
    await chat.generate(userText('hi'), call('hosted-secret'));
    expect(lastRequest().headers.authorization).toBe('Bearer hosted-secret');
    await chat.generate(userText('hi'), call(''));
    expect(lastRequest().headers.authorization).toBeUndefined();
  });

  it('streams NDJSON into many canonical events', async () => {
    const events = await collect(await chat.stream(userText('stream this please', { stream: true }), call()));
    expect(lastRequest().body).toMatchObject({ stream: true });
    expect(events[0]).toMatchObject({ type: 'start', model: 'llama3.2:latest' });
    const deltas = events.filter((event) => event.type === 'text-delta');
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.map((event) => event.text).join('')).toBe('Echo: stream this please');
    expect(events.at(-1)).toEqual({
      type: 'finish',
      finishReason: 'stop',
      usage: { inputTokens: 3, outputTokens: 4 },
    });
  });

  it('maps every sampling option, stop sequences and the length finish reason', async () => {
    const request = userText('one two three four five six', {
      temperature: 0.2,
      topP: 0.9,
      topK: 40,
      maxOutputTokens: 3,
      stopSequences: ['\n\n', 'END'],
      seed: 42,
      presencePenalty: 0.5,
      frequencyPenalty: 0.25,
    });
    const result = await chat.generate(request, call());
    expect((lastRequest().body as { options: unknown }).options).toEqual({
      temperature: 0.2,
      top_p: 0.9,
      top_k: 40,
      num_predict: 3,
      stop: ['\n\n', 'END'],
      seed: 42,
      presence_penalty: 0.5,
      frequency_penalty: 0.25,
    });
    expect(result.finishReason).toBe('length');
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: one two' }]);
    expect(result.usage.outputTokens).toBe(3);
  });

  it('stops at a stop sequence the fake honours', async () => {
    const result = await chat.generate(userText('alpha STOP beta', { stopSequences: ['STOP'] }), call());
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: alpha ' }]);
    expect(result.finishReason).toBe('stop');
  });

  it('asks for JSON output with format "json" or a schema', async () => {
    await chat.generate(userText('json please', { responseFormat: { type: 'json' } }), call());
    expect((lastRequest().body as { format: unknown }).format).toBe('json');
    const schema = { type: 'object', properties: { city: { type: 'string' } } };
    await chat.generate(
      userText('json please', { responseFormat: { type: 'json', schema, name: 'city' } }),
      call(),
    );
    expect((lastRequest().body as { format: unknown }).format).toEqual(schema);
    await chat.generate(userText('text please', { responseFormat: { type: 'text' } }), call());
    expect(lastRequest().body).not.toHaveProperty('format');
    expect(lastRequest().body).not.toHaveProperty('think');
  });

  it('round-trips a tool call (non-streaming)', async () => {
    const first = await chat.generate(
      userText('what is the weather in Paris?', { tools: [weatherTool] }),
      call(),
    );
    expect((lastRequest().body as { tools: unknown }).tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Current weather for a city',
          parameters: weatherTool.parameters,
        },
      },
    ]);
    expect(first.finishReason).toBe('tool-calls');
    expect(first.content).toEqual([
      { type: 'tool-call', id: 'call_0', name: 'get_weather', arguments: '{"location":"Paris"}' },
    ]);

    const second = await chat.generate(
      {
        model: 'llama3.2',
        tools: [weatherTool],
        stream: false,
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'what is the weather in Paris?' }] },
          { role: 'assistant', content: first.content },
          {
            role: 'tool',
            content: [
              { type: 'tool-result', toolCallId: 'call_0', toolName: 'get_weather', content: 'sunny, 21C' },
            ],
          },
        ],
      },
      call(),
    );
    expect((lastRequest().body as { messages: unknown }).messages).toEqual([
      { role: 'user', content: 'what is the weather in Paris?' },
      {
        role: 'assistant',
        content: '',
        tool_calls: [{ function: { name: 'get_weather', arguments: { location: 'Paris' } } }],
      },
      { role: 'tool', content: 'sunny, 21C', tool_name: 'get_weather' },
    ]);
    expect(second.content).toEqual([{ type: 'text', text: 'Tool get_weather said: sunny, 21C' }]);
    expect(second.finishReason).toBe('stop');
  });

  it('streams a tool call as start + one whole delta with a generated id', async () => {
    const events = await collect(
      await chat.stream(userText('weather in Paris?', { tools: [weatherTool], stream: true }), call()),
    );
    const toolEvents = events.filter((event) => event.type.startsWith('tool-call'));
    expect(toolEvents).toEqual([
      { type: 'tool-call-start', index: 0, id: 'call_0', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"location":"Paris"}' },
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'finish', finishReason: 'tool-calls' });
  });

  it('does not offer tools when toolChoice is none, and warns about knobs Ollama lacks', async () => {
    const none = await chat.generate(
      userText('weather in Paris?', { tools: [weatherTool], toolChoice: { type: 'none' } }),
      call(),
    );
    expect(lastRequest().body).not.toHaveProperty('tools');
    expect(none.finishReason).toBe('stop');
    const required = await chat.generate(
      userText('hello', { tools: [weatherTool], toolChoice: { type: 'required' }, candidateCount: 2 }),
      call(),
    );
    expect(required.warnings).toHaveLength(2);
    expect(required.warnings?.join(' ')).toMatch(/toolChoice "required"/);
    expect(required.warnings?.join(' ')).toMatch(/candidateCount/);
  });

  it('sends base64 images as raw base64 and refuses image URLs', async () => {
    const pixel =
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    const result = await chat.generate(
      {
        model: 'llava',
        stream: false,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'describe' },
              { type: 'image', source: { kind: 'base64', mediaType: 'image/png', data: pixel } },
              { type: 'image', source: { kind: 'url', url: `data:image/png;base64,${pixel}` } },
            ],
          },
        ],
      },
      call(),
    );
    expect((lastRequest().body as { messages: unknown }).messages).toEqual([
      { role: 'user', content: 'describe', images: [pixel, pixel] },
    ]);
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: describe [images: 2]' }]);

    const requestsBefore = fake.requests.length;
    const refused = chat.generate(
      {
        model: 'llava',
        stream: false,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'describe' },
              { type: 'image', source: { kind: 'url', url: 'https://example.com/cat.png' } },
            ],
          },
        ],
      },
      call(),
    );
    await expect(refused).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(refused).rejects.toMatchObject({ param: 'messages[0].content[1].source', status: 400 });
    await expect(refused).rejects.toThrow(/messages\[0\]\.content\[1\].*URL/);
    expect(fake.requests.length).toBe(requestsBefore);
  });

  it('lists the pulled models', async () => {
    await expect(provider.listModels!(call('hosted-secret'))).resolves.toEqual(FAKE_OLLAMA_MODELS);
    expect(lastRequest()).toMatchObject({ method: 'GET', path: '/api/tags' });
    expect(lastRequest().headers.authorization).toBe('Bearer hosted-secret');
  });

  it('reports an unknown model as not_found, not retryable', async () => {
    const error = await rejection(chat.generate(userText('hi', { model: 'mistral' }), call()));
    expect(error).toMatchObject({
      kind: 'not_found',
      code: 'model_not_found',
      status: 404,
      upstreamStatus: 404,
      retryable: false,
      credentialEffect: 'none',
    });
    expect(error.message).toBe('model "mistral" not found, try pulling it first');
  });
});

describe('Ollama provider faults', () => {
  it('429 → rate_limit with Retry-After and a cooldown', async () => {
    const error = await rejection(chat.generate(userText('hi'), call('fault-429')));
    expect(error).toMatchObject({
      kind: 'rate_limit',
      retryAfterMs: 30_000,
      credentialEffect: 'cooldown',
      retryable: true,
      upstreamStatus: 429,
    });
  });

  it('500 → retryable failure', async () => {
    const error = await rejection(chat.stream(userText('hi', { stream: true }), call('fault-500')));
    expect(error).toMatchObject({
      kind: 'upstream',
      retryable: true,
      credentialEffect: 'failure',
      status: 500,
    });
    expect(error.message).toMatch(/llama runner process has terminated/);
  });

  it('401 → authentication, credential disabled', async () => {
    const error = await rejection(chat.generate(userText('hi'), call('fault-401')));
    expect(error).toMatchObject({ kind: 'authentication', credentialEffect: 'disable', status: 502 });
    const listing = await rejection(provider.listModels!(call('fault-401')));
    expect(listing).toMatchObject({ kind: 'authentication', credentialEffect: 'disable' });
  });

  it('400 → not retryable, passes the vendor message', async () => {
    const error = await rejection(chat.generate(userText('hi'), call('fault-400')));
    expect(error).toMatchObject({
      kind: 'invalid_request',
      retryable: false,
      credentialEffect: 'none',
      status: 400,
    });
    expect(error.upstreamBody).toContain('invalid options');
  });

  it('reset → retryable connection error', async () => {
    const error = await rejection(chat.generate(userText('hi'), call('fault-reset')));
    expect(error).toMatchObject({ kind: 'connection', retryable: true, credentialEffect: 'failure' });
  });

  it('cut stream → events first, then a retryable connection error', async () => {
    const events = await chat.stream(
      userText('a fairly long answer that will be cut', { stream: true }),
      call('fault-cut'),
    );
    const seen: ChatStreamEvent[] = [];
    const error = await rejection(
      (async () => {
        for await (const event of events) seen.push(event);
      })(),
    );
    expect(seen[0]).toMatchObject({ type: 'start' });
    expect(seen.some((event) => event.type === 'text-delta')).toBe(true);
    expect(seen.some((event) => event.type === 'finish')).toBe(false);
    expect(error).toMatchObject({ kind: 'connection', retryable: true });
  });

  it('cut non-stream answer → retryable connection error', async () => {
    const error = await rejection(chat.generate(userText('a fairly long answer'), call('fault-cut')));
    expect(error).toMatchObject({ kind: 'connection', retryable: true });
  });

  it('slow beyond timeoutMs → timeout', async () => {
    const slowDispatcher = new Agent({ keepAliveTimeout: 10_000 });
    const impatient = createOllamaProvider({
      id: 'ollama-impatient',
      baseURL: fake.url,
      dispatcher: slowDispatcher,
      timeoutMs: 150,
    });
    try {
      const error = await rejection(impatient.chat!.generate(userText('hi'), call('fault-slow-1000')));
      expect(error).toMatchObject({
        kind: 'timeout',
        retryable: true,
        credentialEffect: 'failure',
        status: 504,
      });
    } finally {
      await slowDispatcher.destroy();
    }
  });
});
