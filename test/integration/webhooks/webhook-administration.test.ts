/**
 * /admin/api/webhooks in-process (Fastify inject) with the real error handler and a fake admin principal:
 * subscriptions and their secrets, the SSRF guard as a 400 envelope, the delivery log with its attempts,
 * filters, cursor and redelivery. SQLite, and PostgreSQL when it is reachable.
 */
import Fastify, { type FastifyInstance, type RouteOptions } from 'fastify';
import { pino } from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { renderError, renderNotFound } from '../../../src/http/error-handler.js';
import { registerWebhookAdministration } from '../../../src/http/routes/admin/webhooks.js';
import { MemoryJobEventBus } from '../../../src/jobs/job-events.js';
import { SecretBox } from '../../../src/security/secret-box.js';
import { createGuardedDispatcher } from '../../../src/security/ssrf-guard.js';
import { openDatabase } from '../../../src/storage/index.js';
import { WebhookRepository } from '../../../src/storage/repositories/webhook-repository.js';
import { generateWebhookSecret } from '../../../src/webhooks/signature.js';
import { WebhookService } from '../../../src/webhooks/webhook-service.js';
import { createTestDatabase, isPostgresAvailable } from '../../support/databases.js';

const postgres = await isPostgresAvailable();
const variants = [
  { name: 'sqlite', available: true },
  { name: 'postgres', available: postgres },
] as const;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe.each(variants)('webhook administration on $name', (variant) => {
  const signingSecret = generateWebhookSecret();
  const secretBox = SecretBox.fromMasterKey('admin-webhook-tests');

  async function build() {
    const testDatabase = await createTestDatabase(variant.name);
    const database = await openDatabase({ url: testDatabase.url, dataDir: testDatabase.dataDir });
    const repository = new WebhookRepository(database.db);
    // No private-host allowance: the production guard.
    const dispatcher = createGuardedDispatcher();
    const service = new WebhookService({
      repository,
      jobs: { get: async () => Promise.reject(new Error('no jobs here')) },
      bus: new MemoryJobEventBus(),
      events: { listEventsSince: async () => [] },
      secretBox,
      dispatcher,
      signingSecret,
      logger: pino({ level: 'silent' }),
    });
    const app: FastifyInstance = Fastify();
    const routes: RouteOptions[] = [];
    app.addHook('onRoute', (route) => void routes.push(route));
    app.decorateRequest('principal');
    app.addHook('onRequest', async (request) => {
      request.principal = { keyId: 'key_admin', name: 'admin', role: 'admin' };
    });
    app.setErrorHandler(renderError);
    app.setNotFoundHandler(renderNotFound);
    registerWebhookAdministration(app, service);
    await app.ready();
    cleanups.push(async () => {
      await app.close();
      await dispatcher.close();
      await database.close();
      await testDatabase.drop();
    });
    return { app, repository, routes, service };
  }

  type Built = Awaited<ReturnType<typeof build>>;

  async function subscribe(built: Built, body: Record<string, unknown>) {
    const response = await built.app.inject({ method: 'POST', url: '/admin/api/webhooks', payload: body });
    return { status: response.statusCode, body: response.json() };
  }

  it.skipIf(!variant.available)('marks every route admin-only', async () => {
    const { routes } = await build();
    expect(routes.length).toBeGreaterThanOrEqual(10);
    for (const route of routes) expect(route.config).toMatchObject({ access: 'admin' });
  });

  it.skipIf(!variant.available)(
    'creates a subscription and shows its secret once, sealed at rest',
    async () => {
      const built = await build();
      const created = await subscribe(built, {
        url: 'https://hooks.example.com/atelier',
        event_types: ['job.succeeded', 'job.failed', 'job.succeeded'],
        description: 'CI notifications',
      });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({
        id: expect.stringMatching(/^whsub_[0-9a-f]{24}$/),
        object: 'webhook_subscription',
        url: 'https://hooks.example.com/atelier',
        event_types: ['job.succeeded', 'job.failed'],
        description: 'CI notifications',
        enabled: true,
        created_at: expect.any(Number),
        secret: expect.stringMatching(/^whsec_/),
      });
      const secret = created.body.secret as string;
      // The secret works with the library receivers use.
      expect(() => new Webhook(secret)).not.toThrow();

      const stored = await built.repository.getSubscription(created.body.id);
      expect(stored!.secret).toMatch(/^v1:/);
      expect(stored!.secret).not.toContain(secret.slice(6));

      const list = await built.app.inject({ method: 'GET', url: '/admin/api/webhooks' });
      expect(list.statusCode).toBe(200);
      expect(list.json()).toEqual({ object: 'list', data: [{ ...created.body, secret: undefined }] });
      expect(list.body).not.toContain(secret);
      const one = await built.app.inject({ method: 'GET', url: `/admin/api/webhooks/${created.body.id}` });
      expect(one.json()).not.toHaveProperty('secret');
      expect(one.json().id).toBe(created.body.id);
    },
  );

  it.skipIf(!variant.available)(
    'refuses private targets and bad input with a 400 that names the field',
    async () => {
      const built = await build();
      for (const url of [
        'http://169.254.169.254/',
        'http://127.0.0.1/',
        'http://[::1]:8080/',
        'file:///etc/passwd',
      ]) {
        const refused = await subscribe(built, { url, event_types: ['*'] });
        expect(refused.status).toBe(400);
        expect(refused.body).toEqual({
          error: {
            message: expect.stringContaining('url: This URL cannot be fetched'),
            type: 'invalid_request_error',
            param: 'url',
            code: 'url_forbidden',
          },
        });
      }
      const badType = await subscribe(built, { url: 'https://example.com/', event_types: ['job.exploded'] });
      expect(badType.status).toBe(400);
      expect(badType.body.error.param).toBe('event_types.0');
      const empty = await subscribe(built, { url: 'https://example.com/', event_types: [] });
      expect(empty.status).toBe(400);
      expect(empty.body.error.param).toBe('event_types');
      const extra = await subscribe(built, {
        url: 'https://example.com/',
        event_types: ['*'],
        secret: 'mine',
      });
      expect(extra.status).toBe(400);
      expect(extra.body.error.message).toContain('secret');
      expect(await built.service.listSubscriptions()).toEqual([]);
    },
  );

  it.skipIf(!variant.available)('updates, rotates and deletes a subscription', async () => {
    const built = await build();
    const created = await subscribe(built, { url: 'https://example.com/a', event_types: ['*'] });
    const id = created.body.id as string;

    const patched = await built.app.inject({
      method: 'PATCH',
      url: `/admin/api/webhooks/${id}`,
      payload: {
        url: 'https://example.com/b',
        event_types: ['job.progress'],
        enabled: false,
        description: null,
      },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      id,
      url: 'https://example.com/b',
      event_types: ['job.progress'],
      enabled: false,
      description: null,
    });
    const privateUrl = await built.app.inject({
      method: 'PATCH',
      url: `/admin/api/webhooks/${id}`,
      payload: { url: 'http://10.0.0.1/' },
    });
    expect(privateUrl.statusCode).toBe(400);
    expect(privateUrl.json().error.code).toBe('url_forbidden');
    expect((await built.service.getSubscription(id)).url).toBe('https://example.com/b');

    const rotated = await built.app.inject({
      method: 'POST',
      url: `/admin/api/webhooks/${id}/rotate-secret`,
      payload: { keep_previous_seconds: 0 },
    });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.json().secret).toMatch(/^whsec_/);
    expect(rotated.json().secret).not.toBe(created.body.secret);
    const rotatedWithoutBody = await built.app.inject({
      method: 'POST',
      url: `/admin/api/webhooks/${id}/rotate-secret`,
    });
    expect(rotatedWithoutBody.statusCode).toBe(200);

    const deleted = await built.app.inject({ method: 'DELETE', url: `/admin/api/webhooks/${id}` });
    expect(deleted.json()).toEqual({ id, object: 'webhook_subscription', deleted: true });
    for (const [method, url] of [
      ['GET', `/admin/api/webhooks/${id}`],
      ['DELETE', `/admin/api/webhooks/${id}`],
      ['PATCH', `/admin/api/webhooks/${id}`],
      ['POST', `/admin/api/webhooks/${id}/rotate-secret`],
    ] as const) {
      const missing = await built.app.inject({ method, url, payload: method === 'PATCH' ? {} : undefined });
      expect(missing.statusCode).toBe(404);
      expect(missing.json().error).toMatchObject({ type: 'not_found_error', code: 'webhook_not_found' });
    }
  });

  it.skipIf(!variant.available)('shows the global signing secret', async () => {
    const { app } = await build();
    const response = await app.inject({ method: 'GET', url: '/admin/api/webhooks/signing-secret' });
    expect(response.json()).toEqual({ object: 'webhook_signing_secret', secret: signingSecret });
  });

  it.skipIf(!variant.available)(
    'lists deliveries with filters and a cursor, shows attempts, and redelivers',
    async () => {
      const built = await build();
      const { app, repository } = built;
      const base = Date.now() - 10_000;
      const payload = JSON.stringify({ type: 'job.failed', timestamp: '2025-01-01T00:00:00.000Z', data: {} });
      for (let index = 0; index < 5; index++) {
        await repository.insertDelivery({
          id: `msg_${index}`,
          subscription_id: index % 2 === 0 ? 'whsub_even' : null,
          job_id: index < 3 ? 'job_a' : 'job_b',
          url: 'https://example.com/hook',
          event_type: 'job.failed',
          payload,
          status: 'pending',
          attempts: 0,
          next_attempt_at: base + index,
          last_status_code: null,
          last_error: null,
          created_at: base + index,
          delivered_at: null,
        });
      }
      // msg_0 fails twice for good.
      for (const [statusCode, outcome] of [
        [500, { status: 'pending' as const, nextAttemptAt: base }],
        [502, { status: 'failed' as const }],
      ] as const) {
        const [claim] = (await repository.claimDue({ now: Date.now(), leaseMs: 60_000, limit: 5 })).filter(
          (claimed) => claimed.delivery.id === 'msg_0',
        );
        const attempt = {
          attemptedAt: Date.now(),
          statusCode,
          error: `Unexpected status ${statusCode}.`,
          durationMs: 12,
        };
        expect(await repository.settle(claim!, attempt, outcome, attempt.error)).toBe(true);
      }

      const page = await app.inject({ method: 'GET', url: '/admin/api/webhooks/deliveries?limit=2' });
      expect(page.statusCode).toBe(200);
      expect(page.json()).toMatchObject({
        object: 'list',
        first_id: 'msg_4',
        last_id: 'msg_3',
        has_more: true,
      });
      expect(page.json().data.map((delivery: { id: string }) => delivery.id)).toEqual(['msg_4', 'msg_3']);
      const next = await app.inject({
        method: 'GET',
        url: '/admin/api/webhooks/deliveries?limit=2&after=msg_3',
      });
      expect(next.json().data.map((delivery: { id: string }) => delivery.id)).toEqual(['msg_2', 'msg_1']);
      const last = await app.inject({
        method: 'GET',
        url: '/admin/api/webhooks/deliveries?limit=2&after=msg_1',
      });
      expect(last.json()).toMatchObject({ has_more: false, last_id: 'msg_0' });

      const byJob = await app.inject({
        method: 'GET',
        url: '/admin/api/webhooks/deliveries?job_id=job_a&subscription_id=whsub_even',
      });
      expect(byJob.json().data.map((delivery: { id: string }) => delivery.id)).toEqual(['msg_2', 'msg_0']);
      const failed = await app.inject({ method: 'GET', url: '/admin/api/webhooks/deliveries?status=failed' });
      expect(failed.json().data).toEqual([
        {
          id: 'msg_0',
          object: 'webhook_delivery',
          subscription_id: 'whsub_even',
          job_id: 'job_a',
          url: 'https://example.com/hook',
          event_type: 'job.failed',
          status: 'failed',
          attempt_count: 2,
          next_attempt_at: null,
          last_status_code: 502,
          last_error: 'Unexpected status 502.',
          created_at: base,
          delivered_at: null,
          payload: JSON.parse(payload),
        },
      ]);
      const badQuery = await app.inject({ method: 'GET', url: '/admin/api/webhooks/deliveries?status=lost' });
      expect(badQuery.statusCode).toBe(400);
      expect(badQuery.json().error.param).toBe('status');

      const detail = await app.inject({ method: 'GET', url: '/admin/api/webhooks/deliveries/msg_0' });
      expect(detail.json().attempts).toEqual([
        {
          attempted_at: expect.any(Number),
          status_code: 500,
          error: 'Unexpected status 500.',
          duration_ms: 12,
        },
        {
          attempted_at: expect.any(Number),
          status_code: 502,
          error: 'Unexpected status 502.',
          duration_ms: 12,
        },
      ]);

      const redelivered = await app.inject({
        method: 'POST',
        url: '/admin/api/webhooks/deliveries/msg_0/redeliver',
      });
      expect(redelivered.statusCode).toBe(202);
      expect(redelivered.json()).toMatchObject({ id: 'msg_0', status: 'pending', attempt_count: 0 });
      expect(redelivered.json().next_attempt_at).toEqual(expect.any(Number));
      const again = await app.inject({
        method: 'POST',
        url: '/admin/api/webhooks/deliveries/msg_0/redeliver',
      });
      expect(again.statusCode).toBe(409);
      const unknown = await app.inject({
        method: 'POST',
        url: '/admin/api/webhooks/deliveries/msg_x/redeliver',
      });
      expect(unknown.statusCode).toBe(404);
      const unknownDetail = await app.inject({ method: 'GET', url: '/admin/api/webhooks/deliveries/msg_x' });
      expect(unknownDetail.json().error.code).toBe('webhook_delivery_not_found');
    },
  );
});
