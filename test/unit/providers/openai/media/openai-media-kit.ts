import { Agent } from 'undici';
import { expect } from 'vitest';
import type { MediaCallOptions } from '../../../../../src/providers/media-spec.js';
import { createOpenAIProvider } from '../../../../../src/providers/openai/index.js';
import type { Provider } from '../../../../../src/providers/spec.js';
import type { FakeUpstream, RecordedRequest } from '../../../../fakes/fake-server.js';

export { bytesOf, lastRequest, providerFailure } from '../../media-test-kit.js';
import { parseMultipart, type MultipartBody } from '../../../../fakes/fake-multipart.js';

export function openAIMediaProvider(
  fake: FakeUpstream,
  options: Record<string, unknown> = { video_poll_interval_ms: 10 },
): { provider: Provider; dispatcher: Agent } {
  const dispatcher = new Agent({ keepAliveTimeout: 10_000 });
  const provider = createOpenAIProvider({
    id: 'openai-media',
    baseURL: `${fake.url}/v1`,
    dispatcher,
    timeoutMs: 5_000,
    options,
  });
  return { provider, dispatcher };
}

export function mediaOptions(apiKey = 'sk-good'): MediaCallOptions {
  return { credential: { id: `credential-${apiKey}`, apiKey }, signal: new AbortController().signal };
}

export function multipartOf(request: RecordedRequest): MultipartBody {
  const body = parseMultipart(request.body, request.headers['content-type']);
  expect(body, 'a multipart/form-data body').toBeDefined();
  return body!;
}
