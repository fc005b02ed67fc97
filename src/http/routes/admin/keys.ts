import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { NotFoundError } from '../../../errors/index.js';
import type { ApiKeyRecord } from '../../../storage/index.js';
import type { ApiKeyService } from '../../../security/api-keys.js';
import { parseBody } from '../../validation.js';

const createKeySchema = z.strictObject({
  name: z.string().min(1).max(200),
  role: z.enum(['admin', 'user']).default('user'),
});

function present(record: ApiKeyRecord) {
  return {
    id: record.id,
    object: 'api_key',
    name: record.name,
    prefix: record.prefix,
    role: record.role,
    created_at: record.created_at,
    last_used_at: record.last_used_at,
    revoked_at: record.revoked_at,
  };
}

export function registerKeyAdministration(app: FastifyInstance, keys: ApiKeyService): void {
  const admin = { config: { access: 'admin' as const } };

  app.get('/admin/api/keys', admin, async () => ({ object: 'list', data: (await keys.list()).map(present) }));

  app.post('/admin/api/keys', admin, async (request, reply) => {
    const input = parseBody(createKeySchema, request.body);
    const { key, record } = await keys.create(input);
    // The only time the key is ever shown.
    return reply.code(201).send({ ...present(record), key });
  });

  app.delete<{ Params: { id: string } }>('/admin/api/keys/:id', admin, async (request) => {
    if (!(await keys.revoke(request.params.id))) {
      throw new NotFoundError(`No active API key with id '${request.params.id}'.`);
    }
    return { id: request.params.id, object: 'api_key', revoked: true };
  });
}
