import type { Readable } from 'node:stream';
import { Agent } from 'undici';
import { expect } from 'vitest';
import { ProviderError } from '../../../../../src/errors/index.js';
import { createGeminiProvider } from '../../../../../src/providers/gemini/index.js';
import type { MediaCallOptions } from '../../../../../src/providers/media-spec.js';
import type { Provider } from '../../../../../src/providers/spec.js';
import type { FakeUpstream, RecordedRequest } from '../../../../fakes/fake-server.js';

export function geminiMediaProvider(fake: FakeUpstream): { provider: Provider; dispatcher: Agent } {
  const dispatcher = new Agent({ keepAliveTimeout: 10_000 });
  const provider = createGeminiProvider({
    id: 'gemini-media',
    baseURL: fake.url,
    dispatcher,
    timeoutMs: 5_000,
    options: { video_poll_interval_ms: 10 },
  });
  return { provider, dispatcher };
}

export function mediaOptions(apiKey = 'gemini-good', scheme?: 'oauth'): MediaCallOptions {
  return {
    credential: { id: `credential-${apiKey}`, apiKey, ...(scheme && { scheme }) },
    signal: new AbortController().signal,
  };
}

export function lastRequest(fake: FakeUpstream): RecordedRequest {
  return fake.requests.at(-1)!;
}

export async function bytesOf(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function providerFailure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}
