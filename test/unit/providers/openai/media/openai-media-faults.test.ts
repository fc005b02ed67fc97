import type { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Provider } from '../../../../../src/providers/spec.js';
import type { FakeUpstream } from '../../../../fakes/fake-server.js';
import { startFakeOpenAI } from '../../../../fakes/openai-upstream.js';
import { mediaOptions, openAIMediaProvider, providerFailure } from './openai-media-kit.js';

let fake: FakeUpstream;
let dispatcher: Agent;
let provider: Provider;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  ({ provider, dispatcher } = openAIMediaProvider(fake));
});
afterAll(async () => {
  await dispatcher.close();
  await fake.close();
});

const png = { data: Buffer.from([0x89, 0x50, 0x4e, 0x47]), mediaType: 'image/png' };

/** Every media call, JSON and multipart alike. */
const calls: Record<string, (key: string) => Promise<unknown>> = {
  'image generate': (key) =>
    provider.image!.generate({ model: 'gpt-image-1', prompt: 'p' }, mediaOptions(key)),
  'image edit': (key) =>
    provider.image!.generate({ model: 'gpt-image-1', prompt: 'p', inputImages: [png] }, mediaOptions(key)),
  'video start': (key) => provider.video!.start({ model: 'sora-2', prompt: 'p' }, mediaOptions(key)),
  'video status': (key) => provider.video!.status('video_123', mediaOptions(key)),
  'video download': (key) => provider.video!.download('video_123', 0, mediaOptions(key)),
  speech: (key) =>
    provider.speech!.synthesize(
      { model: 'tts-1', input: 'p', voice: 'alloy', format: 'mp3' },
      mediaOptions(key),
    ),
  transcription: (key) =>
    provider.transcription!.transcribe(
      { model: 'whisper-1', audio: { data: Buffer.from('RIFF'), mediaType: 'audio/wav' } },
      mediaOptions(key),
    ),
};

describe.each(Object.entries(calls))('OpenAI media faults: %s', (_name, call) => {
  it('429 → rate_limit with Retry-After, credential cooldown', async () => {
    expect(await providerFailure(call('fault-429'))).toMatchObject({
      kind: 'rate_limit',
      status: 429,
      retryable: true,
      retryAfterMs: 30_000,
      credentialEffect: 'cooldown',
    });
  });

  it('401 → authentication, credential disabled, 502 to the client', async () => {
    expect(await providerFailure(call('fault-401'))).toMatchObject({
      kind: 'authentication',
      status: 502,
      upstreamStatus: 401,
      code: 'invalid_api_key',
      retryable: true,
      credentialEffect: 'disable',
    });
  });

  it('500 → retryable upstream failure', async () => {
    expect(await providerFailure(call('fault-500'))).toMatchObject({
      kind: 'upstream',
      status: 500,
      retryable: true,
      credentialEffect: 'failure',
    });
  });

  it('a reset connection → retryable connection error', async () => {
    expect(await providerFailure(call('fault-reset'))).toMatchObject({
      kind: 'connection',
      code: 'upstream_unreachable',
      retryable: true,
      credentialEffect: 'failure',
    });
  });
});
