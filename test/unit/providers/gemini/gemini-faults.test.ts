import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from 'undici';
import { ProviderError } from '../../../../src/errors/index.js';
import { createGeminiProvider } from '../../../../src/providers/gemini/index.js';
import type { CallOptions, ChatRequest, ChatStreamEvent, Provider } from '../../../../src/providers/spec.js';
import type { FakeUpstream } from '../../../fakes/fake-server.js';
import { startFakeGemini } from '../../../fakes/gemini-upstream.js';

let fake: FakeUpstream;
let dispatcher: Agent;
let provider: Provider;

const options = (apiKey: string): CallOptions => ({
  credential: { id: 'cred', apiKey },
  signal: new AbortController().signal,
});

const request = (stream: boolean): ChatRequest => ({
  model: 'gemini-2.5-flash',
  messages: [{ role: 'user', content: [{ type: 'text', text: 'Tell me a slightly longer story please' }] }],
  stream,
});

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

beforeAll(async () => {
  fake = await startFakeGemini();
  dispatcher = new Agent({ keepAliveTimeout: 10_000 });
  provider = createGeminiProvider({ id: 'gemini-faults', baseURL: fake.url, dispatcher, timeoutMs: 500 });
});

afterAll(async () => {
  await dispatcher.close();
  await fake.close();
});

describe.each([false, true])('gemini faults (stream: %s)', (stream) => {
  const call = (key: string) =>
    stream
      ? provider.chat!.stream(request(true), options(key))
      : provider.chat!.generate(request(false), options(key));

  it('429 RESOURCE_EXHAUSTED → rate_limit with the RetryInfo delay, credential cooling down', async () => {
    const error = await failure(call('fault-429'));
    expect(error).toMatchObject({
      kind: 'rate_limit',
      retryable: true,
      retryAfterMs: 30_000,
      credentialEffect: 'cooldown',
      upstreamStatus: 429,
      code: 'RESOURCE_EXHAUSTED',
    });
  });

  it('500 INTERNAL → retryable failure', async () => {
    const error = await failure(call('fault-500'));
    expect(error).toMatchObject({
      kind: 'upstream',
      retryable: true,
      credentialEffect: 'failure',
      status: 500,
    });
  });

  it('400 API_KEY_INVALID → authentication, credential disabled', async () => {
    const error = await failure(call('fault-401'));
    expect(error).toMatchObject({
      kind: 'authentication',
      retryable: true,
      credentialEffect: 'disable',
      upstreamStatus: 400,
      status: 502,
      code: 'API_KEY_INVALID',
    });
    expect(error.message).toContain('API key not valid');
  });

  it('400 INVALID_ARGUMENT → the client’s error, not retryable', async () => {
    const error = await failure(call('fault-400'));
    expect(error).toMatchObject({
      kind: 'invalid_request',
      retryable: false,
      credentialEffect: 'none',
      status: 400,
    });
  });

  it('connection reset → retryable connection error', async () => {
    const error = await failure(call('fault-reset'));
    expect(error).toMatchObject({ kind: 'connection', retryable: true, credentialEffect: 'failure' });
  });

  it('answer slower than timeoutMs → timeout error', async () => {
    const error = await failure(call('fault-slow-2000'));
    expect(error).toMatchObject({ kind: 'timeout', retryable: true });
  });

  it('unknown model → not_found, not retryable', async () => {
    const missing = { ...request(stream), model: 'missing-model' };
    const error = await failure(
      stream
        ? provider.chat!.stream(missing, options('good'))
        : provider.chat!.generate(missing, options('good')),
    );
    expect(error).toMatchObject({ kind: 'not_found', retryable: false, upstreamStatus: 404 });
  });
});

describe('gemini cut connections', () => {
  it('a cut stream yields the first events, then throws a retryable connection error', async () => {
    const events = await provider.chat!.stream(request(true), options('fault-cut'));
    const seen: ChatStreamEvent[] = [];
    const error = await (async () => {
      for await (const event of events) seen.push(event);
    })().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(seen[0]).toMatchObject({ type: 'start' });
    expect(seen.filter((event) => event.type === 'text-delta').length).toBeGreaterThan(1);
    expect(seen.some((event) => event.type === 'finish')).toBe(false);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'connection', retryable: true });
  });

  it('a cut JSON answer → retryable connection error', async () => {
    const error = await failure(provider.chat!.generate(request(false), options('fault-cut')));
    expect(error).toMatchObject({ kind: 'connection', retryable: true });
  });

  it('a stream that ends cleanly without finishReason is a retryable connection error', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end(
        `data: ${JSON.stringify({ candidates: [{ content: { parts: [{ text: 'Hi' }], role: 'model' } }] })}\r\n\r\n`,
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const truncated = createGeminiProvider({
      id: 'g',
      baseURL: `http://127.0.0.1:${port}`,
      dispatcher,
      timeoutMs: 500,
    });
    const seen: ChatStreamEvent[] = [];
    const error = await (async () => {
      for await (const event of await truncated.chat!.stream(request(true), options('good')))
        seen.push(event);
    })().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    server.close();
    expect(seen.map((event) => event.type)).toEqual(['start', 'text-delta']);
    expect(error).toMatchObject({ kind: 'connection', retryable: true });
  });

  it('an error envelope inside a 200 stream becomes a classified ProviderError', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(
        `data: ${JSON.stringify({ candidates: [{ content: { parts: [{ text: 'Hi' }], role: 'model' } }] })}\r\n\r\n`,
      );
      response.end(
        `data: ${JSON.stringify({ error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } })}\r\n\r\n`,
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const failing = createGeminiProvider({
      id: 'g',
      baseURL: `http://127.0.0.1:${port}`,
      dispatcher,
      timeoutMs: 500,
    });
    const error = await (async () => {
      for await (const _event of await failing.chat!.stream(request(true), options('good'))) void _event;
    })().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    server.close();
    expect(error).toMatchObject({ kind: 'overloaded', retryable: true, upstreamStatus: 503 });
  });
});
