/**
 * GET {baseURL}/models → model ids.
 */
import { readJson, sendUpstream, upstreamFailure } from '../http/upstream-client.js';
import type { CallOptions, ProviderSettings } from '../spec.js';
import { asRecord } from './openai-chat-response.js';
import { parseOpenAIError } from './openai-errors.js';
import { authorizationHeaders } from './openai-headers.js';

export async function listOpenAIModels(settings: ProviderSettings, options: CallOptions): Promise<string[]> {
  const provider = settings.id;
  const response = await sendUpstream(settings, {
    method: 'GET',
    path: '/models',
    headers: authorizationHeaders(options.credential),
    signal: options.signal,
  });
  if (response.status < 200 || response.status >= 300) {
    throw await upstreamFailure(provider, response, (failure) => parseOpenAIError({ provider, ...failure }));
  }
  const list = asRecord(await readJson<unknown>(provider, response, options.signal));
  const data = Array.isArray(list?.['data']) ? list['data'] : [];
  return data.flatMap((entry) => {
    const id = asRecord(entry)?.['id'];
    return typeof id === 'string' ? [id] : [];
  });
}
