/** The models pulled on an Ollama host: GET /api/tags → models[].name (e.g. "llama3.2:latest"). */
import { readJson, sendUpstream, upstreamFailure } from '../http/upstream-client.js';
import type { CallOptions, ProviderSettings } from '../spec.js';
import { ollamaTagsSchema } from './ollama-api-types.js';
import { ollamaMalformedResponse, parseOllamaError } from './ollama-errors.js';
import { ollamaHeaders } from './ollama-headers.js';

export async function listOllamaModels(settings: ProviderSettings, options: CallOptions): Promise<string[]> {
  const response = await sendUpstream(settings, {
    method: 'GET',
    path: '/api/tags',
    headers: ollamaHeaders(options.credential),
    signal: options.signal,
  });
  if (response.status < 200 || response.status >= 300) {
    throw await upstreamFailure(settings.id, response, parseOllamaError(settings.id));
  }
  const parsed = ollamaTagsSchema.safeParse(await readJson<unknown>(settings.id, response, options.signal));
  if (!parsed.success)
    throw ollamaMalformedResponse(settings.id, 'GET /api/tags did not return { models: [...] }');
  return (parsed.data.models ?? []).map((model) => model.name);
}
