/**
 * GET /v1beta/models, following nextPageToken; names lose their `models/` prefix so they match what
 * callers put in the path.
 */
import type { CallOptions, ProviderSettings } from '../spec.js';
import { API_VERSION, callGemini } from './gemini-http.js';

interface ListModelsPage {
  models?: Array<{ name?: string }>;
  nextPageToken?: string;
}

/** Google's largest page; the fake and the real API may return fewer. */
const PAGE_SIZE = '1000';
/** A misbehaving upstream repeating tokens must not keep us paging forever. */
const MAXIMUM_PAGES = 50;

export async function listGeminiModels(settings: ProviderSettings, options: CallOptions): Promise<string[]> {
  const names: string[] = [];
  let pageToken: string | undefined;
  for (let page = 0; page < MAXIMUM_PAGES; page++) {
    const query: Record<string, string> = { pageSize: PAGE_SIZE };
    if (pageToken) query.pageToken = pageToken;
    const body = await callGemini<ListModelsPage>(
      settings,
      { method: 'GET', path: `/${API_VERSION}/models`, query },
      options,
    );
    for (const model of body.models ?? []) {
      if (model.name) names.push(model.name.replace(/^models\//, ''));
    }
    pageToken = body.nextPageToken || undefined;
    if (!pageToken) break;
  }
  return names;
}
