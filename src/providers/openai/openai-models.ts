/**
 * GET {baseURL}/models → model ids.
 */
import { readJson } from '../http/upstream-client.js';
import type { CallOptions, ProviderSettings } from '../spec.js';
import { asRecord } from './openai-chat-response.js';
import { callOpenAI } from './openai-http.js';

export async function listOpenAIModels(settings: ProviderSettings, options: CallOptions): Promise<string[]> {
  const provider = settings.id;
  const response = await callOpenAI(settings, { method: 'GET', path: '/models' }, options);
  const list = asRecord(await readJson<unknown>(provider, response, options.signal));
  const data = Array.isArray(list?.['data']) ? list['data'] : [];
  return data.flatMap((entry) => {
    const id = asRecord(entry)?.['id'];
    return typeof id === 'string' ? [id] : [];
  });
}
