/** GET /v1/models → model ids, following Anthropic's cursor pagination. */
import { connectionError } from '../../errors/index.js';
import { readJson, sendUpstream, upstreamFailure } from '../http/upstream-client.js';
import type { CallOptions, ProviderSettings } from '../spec.js';
import { parseAnthropicError } from './anthropic-errors.js';
import { anthropicHeaders } from './anthropic-headers.js';

interface ModelsPage {
  data?: Array<{ id?: unknown }>;
  has_more?: boolean;
  last_id?: string | null;
}

/** Guards against an upstream that keeps saying has_more. */
const maxPages = 20;

export async function listAnthropicModels(
  settings: ProviderSettings,
  options: CallOptions,
): Promise<string[]> {
  const ids: string[] = [];
  let after: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const response = await sendUpstream(settings, {
      method: 'GET',
      path: '/v1/models',
      query: { limit: '1000', ...(after !== undefined && { after_id: after }) },
      headers: anthropicHeaders(options.credential, settings.headers),
      signal: options.signal,
    });
    if (response.status < 200 || response.status >= 300) {
      throw await upstreamFailure(settings.id, response, (input) => parseAnthropicError(settings.id, input));
    }
    const body = await readJson<ModelsPage>(settings.id, response, options.signal);
    if (!Array.isArray(body.data))
      throw connectionError(settings.id, new Error('model list without a data array'));
    for (const model of body.data) if (typeof model.id === 'string') ids.push(model.id);
    if (!body.has_more || !body.last_id) break;
    after = body.last_id;
  }
  return ids;
}
