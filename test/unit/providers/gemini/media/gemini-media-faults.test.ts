import type { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Provider } from '../../../../../src/providers/spec.js';
import type { FakeUpstream } from '../../../../fakes/fake-server.js';
import { startFakeGemini } from '../../../../fakes/gemini-upstream.js';
import { geminiMediaProvider, mediaOptions, providerFailure } from './gemini-media-kit.js';

let fake: FakeUpstream;
let dispatcher: Agent;
let provider: Provider;

beforeAll(async () => {
  fake = await startFakeGemini();
  ({ provider, dispatcher } = geminiMediaProvider(fake));
});
afterAll(async () => {
  await dispatcher.close();
  await fake.close();
});

const calls: Record<string, (key: string) => Promise<unknown>> = {
  imagen: (key) =>
    provider.image!.generate({ model: 'imagen-4.0-generate-001', prompt: 'p' }, mediaOptions(key)),
  'image model': (key) =>
    provider.image!.generate({ model: 'gemini-2.5-flash-image', prompt: 'p' }, mediaOptions(key)),
  'video start': (key) =>
    provider.video!.start({ model: 'veo-3.0-generate-001', prompt: 'p' }, mediaOptions(key)),
  'video status': (key) =>
    provider.video!.status('models/veo-3.0-generate-001/operations/abc', mediaOptions(key)),
  speech: (key) =>
    provider.speech!.synthesize(
      { model: 'gemini-2.5-flash-preview-tts', input: 'p', voice: 'Kore', format: 'wav' },
      mediaOptions(key),
    ),
  transcription: (key) =>
    provider.transcription!.transcribe(
      { model: 'gemini-2.5-flash', audio: { data: Buffer.from('RIFF'), mediaType: 'audio/wav' } },
      mediaOptions(key),
    ),
};

describe.each(Object.entries(calls))('Gemini media faults: %s', (_name, call) => {
  it('429 RESOURCE_EXHAUSTED → rate_limit with the RetryInfo delay, credential cooldown', async () => {
    expect(await providerFailure(call('fault-429'))).toMatchObject({
      kind: 'rate_limit',
      status: 429,
      retryable: true,
      retryAfterMs: 30_000,
      credentialEffect: 'cooldown',
    });
  });

  it('API_KEY_INVALID → authentication, credential disabled', async () => {
    expect(await providerFailure(call('fault-401'))).toMatchObject({
      kind: 'authentication',
      status: 502,
      code: 'API_KEY_INVALID',
      retryable: true,
      credentialEffect: 'disable',
    });
  });

  it('500 INTERNAL → retryable upstream failure', async () => {
    expect(await providerFailure(call('fault-500'))).toMatchObject({
      kind: 'upstream',
      status: 500,
      retryable: true,
      credentialEffect: 'failure',
    });
  });
});
