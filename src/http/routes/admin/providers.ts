import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { providerSchema } from '../../../config/index.js';
import { InvalidRequestError, NotFoundError } from '../../../errors/index.js';
import type { CredentialHealth, PoolCredential } from '../../../gateway/credential-pool.js';
import type { ProviderAdministration } from '../../../gateway/provider-administration.js';
import type { ProviderEntry, ProviderRegistry } from '../../../gateway/provider-registry.js';
import { parseBody } from '../../validation.js';

const credentialInputSchema = z
  .strictObject({
    label: z.string().min(1).max(200).optional(),
    api_key: z.string().min(1).optional(),
    service_account_json: z.string().min(1).optional(),
    weight: z.number().positive().default(1),
    priority: z.number().int().min(0).default(0),
    max_concurrency: z.number().int().min(0).default(0),
    enabled: z.boolean().default(true),
  })
  .refine((input) => !(input.api_key && input.service_account_json), {
    message: 'give api_key or service_account_json, not both',
  });

const createProviderSchema = providerSchema
  .omit({ credentials: true })
  .extend({ credentials: z.array(credentialInputSchema).default([]) });

const updateProviderSchema = createProviderSchema.omit({ id: true, type: true, credentials: true }).partial();
const updateCredentialSchema = z.strictObject({
  label: z.string().min(1).max(200).optional(),
  api_key: z.string().min(1).optional(),
  service_account_json: z.string().min(1).optional(),
  weight: z.number().positive().optional(),
  priority: z.number().int().min(0).optional(),
  max_concurrency: z.number().int().min(0).optional(),
  enabled: z.boolean().optional(),
});

function credentialStatus(
  credential: PoolCredential,
  health: Readonly<CredentialHealth>,
  now: number,
): string {
  if (!credential.enabled) return 'disabled_by_admin';
  if (health.disabledReason !== undefined) return health.probing ? 'probing' : 'disabled';
  if (health.cooldownUntil > now) return 'cooling_down';
  return 'active';
}

function presentProvider(entry: ProviderEntry) {
  const now = Date.now();
  return {
    id: entry.id,
    object: 'provider',
    type: entry.type,
    base_url: entry.baseURL,
    models: entry.models,
    proxy: entry.proxy ? entry.proxy.replace(/\/\/[^@/]*@/, '//***@') : null,
    timeout_ms: entry.timeoutMs,
    enabled: entry.enabled,
    source: entry.source,
    credentials: entry.pool.list().map(({ credential, health }) => ({
      id: credential.id,
      label: credential.label,
      key_preview: credential.preview,
      weight: credential.weight,
      priority: credential.priority,
      max_concurrency: credential.maxConcurrency,
      enabled: credential.enabled,
      status: credentialStatus(credential, health, now),
      disabled_reason: health.disabledReason ?? null,
      cooldown_until: health.cooldownUntil > now ? health.cooldownUntil : null,
      next_probe_at: health.nextProbeAt ?? null,
      in_flight: health.inFlight,
      consecutive_failures: health.consecutiveFailures,
      total_requests: health.totalRequests,
      total_failures: health.totalFailures,
      last_error: health.lastError ?? null,
      last_error_at: health.lastErrorAt ?? null,
    })),
  };
}

export function registerProviderAdministration(
  app: FastifyInstance,
  registry: ProviderRegistry,
  administration: ProviderAdministration,
): void {
  const admin = { config: { access: 'admin' as const } };
  const find = (id: string) => {
    const entry = registry.get(id);
    if (!entry) throw new NotFoundError(`No provider with id '${id}'.`);
    return entry;
  };

  app.get('/admin/api/providers', admin, async () => ({
    object: 'list',
    data: registry.list().map(presentProvider),
  }));

  app.get<{ Params: { id: string } }>('/admin/api/providers/:id', admin, async (request) =>
    presentProvider(find(request.params.id)),
  );

  app.post('/admin/api/providers', admin, async (request, reply) => {
    const { credentials, ...input } = parseBody(createProviderSchema, request.body);
    for (const [index, credential] of credentials.entries()) {
      if (!credential.api_key && !credential.service_account_json && input.type !== 'ollama') {
        throw new InvalidRequestError(
          `credentials.${index}: api_key or service_account_json is required`,
          `credentials.${index}`,
        );
      }
    }
    await administration.createProvider(input, credentials);
    return reply.code(201).send(presentProvider(find(input.id)));
  });

  app.patch<{ Params: { id: string } }>('/admin/api/providers/:id', admin, async (request) => {
    await administration.updateProvider(request.params.id, parseBody(updateProviderSchema, request.body));
    return presentProvider(find(request.params.id));
  });

  app.delete<{ Params: { id: string } }>('/admin/api/providers/:id', admin, async (request) => {
    await administration.deleteProvider(request.params.id);
    return { id: request.params.id, object: 'provider', deleted: true };
  });

  app.post<{ Params: { id: string } }>(
    '/admin/api/providers/:id/credentials',
    admin,
    async (request, reply) => {
      const input = parseBody(credentialInputSchema, request.body);
      if (!input.api_key && !input.service_account_json) {
        throw new InvalidRequestError('api_key or service_account_json is required', 'api_key');
      }
      const credentialId = await administration.addCredential(request.params.id, input);
      const provider = presentProvider(find(request.params.id));
      return reply.code(201).send(provider.credentials.find((credential) => credential.id === credentialId));
    },
  );

  app.patch<{ Params: { id: string; credentialId: string } }>(
    '/admin/api/providers/:id/credentials/:credentialId',
    admin,
    async (request) => {
      const { id, credentialId } = request.params;
      await administration.updateCredential(
        id,
        credentialId,
        parseBody(updateCredentialSchema, request.body),
      );
      return presentProvider(find(id)).credentials.find((credential) => credential.id === credentialId);
    },
  );

  app.delete<{ Params: { id: string; credentialId: string } }>(
    '/admin/api/providers/:id/credentials/:credentialId',
    admin,
    async (request) => {
      await administration.deleteCredential(request.params.id, request.params.credentialId);
      return { id: request.params.credentialId, object: 'credential', deleted: true };
    },
  );

  app.post<{ Params: { id: string; credentialId: string } }>(
    '/admin/api/providers/:id/credentials/:credentialId/reset',
    admin,
    async (request) => {
      const { id, credentialId } = request.params;
      administration.resetCredential(id, credentialId);
      return presentProvider(find(id)).credentials.find((credential) => credential.id === credentialId);
    },
  );
}
