/** GET /v1/models in OpenAI's shape — or Anthropic's, when the caller is an Anthropic SDK. */
import type { FastifyInstance } from 'fastify';
import type { ModelCatalog } from '../../../gateway/model-catalog.js';
import { NotFoundError } from '../../../errors/index.js';

const created = Math.floor(Date.UTC(2025, 0, 1) / 1000);

export function registerModels(app: FastifyInstance, catalog: ModelCatalog): void {
  app.get('/v1/models', async (request) => {
    const models = catalog.list();
    if (request.headers['anthropic-version']) {
      const data = models.map((model) => ({
        type: 'model',
        id: model.id,
        display_name: model.id,
        created_at: new Date(created * 1000).toISOString(),
      }));
      return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null };
    }
    return {
      object: 'list',
      data: models.map((model) => ({ id: model.id, object: 'model', created, owned_by: model.ownedBy })),
    };
  });

  app.get<{ Params: { '*': string } }>('/v1/models/*', async (request) => {
    const id = request.params['*'];
    const model = catalog.list().find((candidate) => candidate.id === id);
    if (!model) throw new NotFoundError(`The model '${id}' does not exist.`, 'model_not_found', 'model');
    return { id: model.id, object: 'model', created, owned_by: model.ownedBy };
  });
}
