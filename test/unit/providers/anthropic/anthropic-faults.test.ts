import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../../../src/errors/index.js';
import { createAnthropicProvider } from '../../../../src/providers/anthropic/index.js';
import type { ChatCapability, ChatRequest, ChatStreamEvent } from '../../../../src/providers/spec.js';
import { startFakeAnthropic } from '../../../fakes/anthropic-upstream.js';
import type { FakeUpstream } from '../../../fakes/fake-server.js';
import { callOptions, settingsFor } from './harness.js';

let fake: FakeUpstream;
let chat: ChatCapability;

beforeAll(async () => {
  fake = await startFakeAnthropic();
  chat = createAnthropicProvider(settingsFor(fake, 300)).chat!;
});
afterAll(() => fake.close());

const request = (stream: boolean): ChatRequest => ({
  model: 'claude-sonnet-4-5',
  messages: [
    {
      role: 'user',
      content: [{ type: 'text', text: 'A longer prompt so the stream has many events to cut' }],
    },
  ],
  stream,
});

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const caught = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(ProviderError);
  return caught as ProviderError;
}

/** Drain a stream, returning the events seen before it failed and the failure. */
async function drainUntilFailure(events: AsyncIterable<ChatStreamEvent>) {
  const seen: ChatStreamEvent[] = [];
  try {
    for await (const event of events) seen.push(event);
  } catch (error) {
    return { seen, error };
  }
  return { seen, error: undefined };
}

const call = (key: string, stream: boolean) =>
  stream ? chat.stream(request(true), callOptions(key)) : chat.generate(request(false), callOptions(key));

describe.each([false, true])('anthropic provider faults (stream %s)', (stream) => {
  it('429 → rate_limit, retry after 30 s, credential cooldown', async () => {
    const error = await failure(call('fault-429', stream));
    expect(error).toMatchObject({
      kind: 'rate_limit',
      status: 429,
      upstreamStatus: 429,
      retryable: true,
      retryAfterMs: 30_000,
      credentialEffect: 'cooldown',
      code: 'rate_limit_error',
    });
  });

  it('500 → retryable failure', async () => {
    const error = await failure(call('fault-500', stream));
    expect(error).toMatchObject({
      kind: 'upstream',
      retryable: true,
      credentialEffect: 'failure',
      upstreamStatus: 500,
    });
  });

  it('401 → authentication, credential disabled, shown to the client as 502', async () => {
    const error = await failure(call('fault-401', stream));
    expect(error).toMatchObject({
      kind: 'authentication',
      credentialEffect: 'disable',
      retryable: true,
      status: 502,
    });
    expect(error.message).toBe('invalid x-api-key');
  });

  it('400 → not retryable, credential untouched, upstream message kept', async () => {
    const error = await failure(call('fault-400', stream));
    expect(error).toMatchObject({
      kind: 'invalid_request',
      status: 400,
      retryable: false,
      credentialEffect: 'none',
    });
    expect(error.message).toContain('roles must alternate');
  });

  it('529 → overloaded, retryable', async () => {
    const error = await failure(call('fault-529', stream));
    expect(error).toMatchObject({
      kind: 'overloaded',
      retryable: true,
      credentialEffect: 'failure',
      upstreamStatus: 529,
    });
  });

  it('403 permission_error → permission, credential disabled', async () => {
    const error = await failure(call('fault-403', stream));
    expect(error).toMatchObject({ kind: 'permission', credentialEffect: 'disable' });
  });

  it('credit balance too low (a 400) → quota, credential disabled', async () => {
    const error = await failure(call('fault-credit', stream));
    expect(error).toMatchObject({
      kind: 'quota',
      credentialEffect: 'disable',
      retryable: true,
      upstreamStatus: 400,
    });
  });

  it('413 → payload_too_large', async () => {
    const error = await failure(call('fault-413', stream));
    expect(error).toMatchObject({ kind: 'payload_too_large', retryable: false, upstreamStatus: 413 });
  });

  it('connection reset → retryable connection error', async () => {
    const error = await failure(call('fault-reset', stream));
    expect(error).toMatchObject({ kind: 'connection', retryable: true, credentialEffect: 'failure' });
  });

  it('slower than timeoutMs → timeout error', async () => {
    const error = await failure(call('fault-slow-1500', stream));
    expect(error).toMatchObject({ kind: 'timeout', retryable: true, status: 504 });
  });
});

describe('anthropic provider broken answers', () => {
  it('a cut stream yields its first events, then throws a retryable connection error', async () => {
    const events = await chat.stream(request(true), callOptions('fault-cut'));
    const { seen, error } = await drainUntilFailure(events);
    expect(seen[0]).toMatchObject({ type: 'start' });
    expect(seen.some((event) => event.type === 'text-delta')).toBe(true);
    expect(seen.some((event) => event.type === 'finish')).toBe(false);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'connection', retryable: true });
  });

  it('a cut JSON answer is a retryable connection error', async () => {
    const error = await failure(chat.generate(request(false), callOptions('fault-cut')));
    expect(error).toMatchObject({ kind: 'connection', retryable: true });
  });

  it('an error event inside a 200 stream is thrown as the ProviderError it describes', async () => {
    const events = await chat.stream(request(true), callOptions('fault-stream-error'));
    const { seen, error } = await drainUntilFailure(events);
    expect(seen).toEqual([{ type: 'start', id: expect.any(String), model: 'claude-sonnet-4-5' }]);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      kind: 'overloaded',
      retryable: true,
      message: 'Overloaded',
      upstreamStatus: 529,
    });
  });

  it('the fake rejects a request without max_tokens, as Anthropic does', async () => {
    const error = await failure(
      chat.relay!(
        {
          body: { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'x' }] },
          stream: false,
          model: 'x',
        },
        callOptions(),
      ),
    );
    expect(error).toMatchObject({ kind: 'invalid_request', message: 'max_tokens: Field required' });
  });

  it('listModels reports faults too', async () => {
    const provider = createAnthropicProvider(settingsFor(fake));
    const error = await failure(provider.listModels!(callOptions('fault-429')));
    expect(error).toMatchObject({ kind: 'rate_limit', retryAfterMs: 30_000 });
  });
});
