import type { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../../src/errors/index.js';
import type { ChatCapability, Provider } from '../../../../src/providers/spec.js';
import type { FakeUpstream } from '../../../fakes/fake-server.js';
import { startFakeOpenAI } from '../../../fakes/openai-upstream.js';
import { callOptions, chatRequest, collectUntilError, openAIProviderFor } from './openai-test-kit.js';

let fake: FakeUpstream;
let provider: Provider;
let chat: ChatCapability;
let dispatcher: Agent;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  ({ provider, dispatcher } = openAIProviderFor(fake, 300));
  chat = provider.chat!;
});
afterAll(async () => {
  await dispatcher.close();
  await fake.close();
});

type Call = (key: string) => Promise<unknown>;

const calls: Record<string, Call> = {
  generate: (key) => chat.generate(chatRequest(), callOptions(key)),
  stream: (key) => chat.stream(chatRequest({ stream: true }), callOptions(key)),
  relay: (key) =>
    chat.relay!(
      {
        body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] },
        stream: false,
        model: 'gpt-4o-mini',
      },
      callOptions(key),
    ),
  listModels: (key) => provider.listModels!(callOptions(key)),
};

async function failure(call: Call, key: string): Promise<ProviderError> {
  try {
    await call(key);
  } catch (error) {
    expect(error).toBeInstanceOf(ProviderError);
    return error as ProviderError;
  }
  throw new Error(`expected ${key} to fail`);
}

describe.each(Object.entries(calls))('OpenAI provider faults: %s', (_name, call) => {
  it('429 → rate_limit, retry after 30 s, credential cooldown', async () => {
    const error = await failure(call, 'fault-429');
    expect(error).toMatchObject({
      kind: 'rate_limit',
      status: 429,
      upstreamStatus: 429,
      code: 'rate_limit_exceeded',
      retryable: true,
      retryAfterMs: 30_000,
      credentialEffect: 'cooldown',
      provider: 'openai-test',
    });
    expect(error.message).toContain('Rate limit reached');
  });

  it('500 → retryable upstream failure', async () => {
    const error = await failure(call, 'fault-500');
    expect(error).toMatchObject({
      kind: 'upstream',
      retryable: true,
      credentialEffect: 'failure',
      upstreamStatus: 500,
    });
  });

  it('401 → authentication, credential disabled, shown to the client as 502', async () => {
    const error = await failure(call, 'fault-401');
    expect(error).toMatchObject({
      kind: 'authentication',
      code: 'invalid_api_key',
      status: 502,
      upstreamStatus: 401,
      retryable: true,
      credentialEffect: 'disable',
    });
  });

  it('400 → client error passed through, not retried', async () => {
    const error = await failure(call, 'fault-400');
    expect(error).toMatchObject({
      kind: 'invalid_request',
      status: 400,
      param: 'temperature',
      retryable: false,
      credentialEffect: 'none',
    });
    expect(error.upstreamBody).toContain('"invalid_request_error"');
  });

  it('connection reset → retryable connection error', async () => {
    const error = await failure(call, 'fault-reset');
    expect(error).toMatchObject({ kind: 'connection', retryable: true, credentialEffect: 'failure' });
  });

  it('slower than timeoutMs → timeout error', async () => {
    const error = await failure(call, 'fault-slow-1500');
    expect(error).toMatchObject({ kind: 'timeout', retryable: true, status: 504 });
  });
});

describe('OpenAI provider: cut connections', () => {
  it('a non-streaming answer cut halfway is a retryable connection error', async () => {
    const error = await failure(calls['generate']!, 'fault-cut');
    expect(error).toMatchObject({ kind: 'connection', retryable: true });
  });

  it('a cut stream yields its first events, then the iterator throws a retryable connection error', async () => {
    const events = await chat.stream(chatRequest({ stream: true }), callOptions('fault-cut'));
    const { events: received, error } = await collectUntilError(events);
    expect(received[0]).toMatchObject({ type: 'start' });
    expect(received.some((event) => event.type === 'text-delta')).toBe(true);
    expect(received.some((event) => event.type === 'finish')).toBe(false);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'connection', retryable: true });
  });

  it('a cut relayed stream resolves (headers were 2xx) and its body errors', async () => {
    const relayed = await chat.relay!(
      {
        body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'cut me' }], stream: true },
        stream: true,
        model: 'gpt-4o-mini',
      },
      callOptions('fault-cut'),
    );
    expect(relayed.status).toBe(200);
    await expect(
      (async () => {
        for await (const _chunk of relayed.body) {
          // drain
        }
      })(),
    ).rejects.toThrow();
  });

  it('aborting the call stops the stream with the abort error', async () => {
    const controller = new AbortController();
    const events = await chat.stream(chatRequest({ stream: true }), {
      credential: { id: 'c', apiKey: 'sk-good' },
      signal: controller.signal,
    });
    controller.abort();
    const { error } = await collectUntilError(events);
    expect(error).toBeDefined();
    expect(error).not.toBeInstanceOf(ProviderError);
  });
});
