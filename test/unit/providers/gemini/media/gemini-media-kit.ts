import { Agent } from 'undici';
import { createGeminiProvider } from '../../../../../src/providers/gemini/index.js';
import type { MediaCallOptions } from '../../../../../src/providers/media-spec.js';
import type { Provider } from '../../../../../src/providers/spec.js';
import type { FakeUpstream } from '../../../../fakes/fake-server.js';

export { bytesOf, lastRequest, providerFailure } from '../../media-test-kit.js';

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
