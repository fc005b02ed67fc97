/**
 * Webhook delivery against a real receiver on loopback that verifies every request with the
 * `standardwebhooks` library: retries, Retry-After, redirects, the SSRF guard at creation and at connect
 * time, rotation, redelivery, and two services sharing one database and bus. SQLite, and PostgreSQL when
 * it is reachable.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../src/errors/index.js';
import { MemoryJobEventBus, type JobEvent, type JobEventType } from '../../../src/jobs/job-events.js';
import { SecretBox } from '../../../src/security/secret-box.js';
import { createGuardedDispatcher, type GuardedDispatcherOptions } from '../../../src/security/ssrf-guard.js';
import { openDatabase, type JobRow } from '../../../src/storage/index.js';
import {
  WebhookRepository,
  type WebhookDeliveryRow,
} from '../../../src/storage/repositories/webhook-repository.js';
import { generateWebhookSecret } from '../../../src/webhooks/signature.js';
import { WebhookService, type WebhookServiceOptions } from '../../../src/webhooks/webhook-service.js';
import { createTestDatabase, isPostgresAvailable } from '../../support/databases.js';
import { accept, startReceiver, type Answer } from './webhook-receiver.js';

/** These tests publish events straight on the bus; none are stored to replay. */
const noStoredEvents = { listEventsSince: async () => [] };
const postgres = await isPostgresAvailable();
const variants = [
  { name: 'sqlite', available: true },
  { name: 'postgres', available: postgres },
] as const;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function jobRow(id: string, webhookUrl: string | null): JobRow {
  const now = Date.now();
  return {
    id,
    type: 'test.work',
    status: 'succeeded',
    priority: 0,
    progress: 1,
    progress_message: null,
    input: '{"label":"a"}',
    output: '{"label":"a","attempt":1}',
    error: null,
    state: null,
    attempts: 1,
    max_attempts: 3,
    timeout_ms: 60_000,
    created_at: now - 2_000,
    started_at: now - 1_000,
    finished_at: now,
    run_at: now - 2_000,
    updated_at: now,
    lease_owner: null,
    lease_until: null,
    api_key_id: null,
    idempotency_key: null,
    request_hash: null,
    webhook_url: webhookUrl,
  };
}

describe.each(variants)('webhook delivery on $name', (variant) => {
  const signingSecret = generateWebhookSecret();
  const secretBox = SecretBox.fromMasterKey('webhook-tests');
  let nextEventId = 1;

  /** A database, a bus and a job table shared by every service `start` builds. */
  async function shared() {
    const testDatabase = await createTestDatabase(variant.name);
    const database = await openDatabase({ url: testDatabase.url, dataDir: testDatabase.dataDir });
    cleanups.push(async () => {
      await database.close();
      await testDatabase.drop();
    });
    const jobs = new Map<string, JobRow>();
    return {
      repository: new WebhookRepository(database.db),
      bus: new MemoryJobEventBus(),
      jobs,
      get: async (id: string) => {
        const job = jobs.get(id);
        if (!job) throw new Error(`no job ${id}`);
        return job;
      },
    };
  }

  type Shared = Awaited<ReturnType<typeof shared>>;

  function startService(
    context: Shared,
    options: Partial<WebhookServiceOptions> & { guard?: GuardedDispatcherOptions } = {},
  ): WebhookService {
    const dispatcher = createGuardedDispatcher(options.guard ?? { allowPrivateHosts: true });
    const service = new WebhookService({
      repository: context.repository,
      jobs: { get: context.get },
      bus: context.bus,
      events: noStoredEvents,
      secretBox,
      dispatcher,
      signingSecret,
      logger: pino({ level: 'silent' }),
      retrySchedule: [50],
      pollIntervalMs: 20,
      random: () => 0.5,
      ...options,
    });
    service.start();
    cleanups.push(async () => {
      await service.stop();
      await dispatcher.close();
    });
    return service;
  }

  async function receiver(answer: Answer = accept, secrets: () => string[] = () => [signingSecret]) {
    const started = await startReceiver({ secrets, answer });
    cleanups.push(() => started.close());
    return started;
  }

  async function publish(context: Shared, jobId: string, type: JobEventType): Promise<JobEvent> {
    const event: JobEvent = {
      id: nextEventId++,
      jobId,
      jobType: 'test.work',
      type,
      data: {},
      createdAt: Date.now(),
    };
    await context.bus.publish(event);
    return event;
  }

  async function settled(
    context: Shared,
    filter: { jobId: string },
    count = 1,
  ): Promise<WebhookDeliveryRow[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const deliveries = await context.repository.listDeliveries({ ...filter, limit: 100 });
      if (deliveries.length >= count && deliveries.every((delivery) => delivery.status !== 'pending')) {
        return deliveries;
      }
      if (Date.now() > deadline) throw new Error(`deliveries not settled: ${JSON.stringify(deliveries)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it.skipIf(!variant.available)(
    'retries 500s with backoff, then delivers: three attempts, one webhook-id, all signed and logged',
    async () => {
      const context = await shared();
      const hook = await receiver((_request, attempt, response) => {
        if (attempt < 2) response.writeHead(500, { 'content-type': 'text/plain' }).end(`boom ${attempt}`);
        else response.writeHead(200).end('ok');
      });
      context.jobs.set('job_a', jobRow('job_a', `${hook.url}/hooks/atelier`));
      const service = startService(context);
      const event = await publish(context, 'job_a', 'job.succeeded');

      const [delivery] = await settled(context, { jobId: 'job_a' });
      expect(delivery).toMatchObject({
        status: 'delivered',
        attempts: 3,
        last_status_code: 200,
        last_error: null,
        event_type: 'job.succeeded',
        subscription_id: null,
        url: `${hook.url}/hooks/atelier`,
      });
      expect(delivery!.id).toMatch(/^msg_[0-9a-f]{24}$/);

      const requests = hook.byId(delivery!.id);
      expect(requests).toHaveLength(3);
      expect(hook.received).toHaveLength(3);
      for (const request of requests) {
        expect(request.verifiedBy).toEqual([0]);
        expect(request.path).toBe('/hooks/atelier');
        expect(request.headers['content-type']).toBe('application/json');
        expect(request.headers['user-agent']).toBe('Atelier-Webhooks/1');
        expect(Number(request.headers['webhook-timestamp'])).toBeCloseTo(Date.now() / 1000, -2);
        expect(request.payload).toEqual({
          type: 'job.succeeded',
          timestamp: new Date(event.createdAt).toISOString(),
          data: expect.objectContaining({
            id: 'job_a',
            object: 'job',
            status: 'succeeded',
            progress: 100,
            output: { label: 'a', attempt: 1 },
          }),
        });
      }
      // Backoff from the (test) schedule: 50 ms between attempts.
      expect(requests[1]!.receivedAt - requests[0]!.receivedAt).toBeGreaterThanOrEqual(40);
      expect(requests[2]!.receivedAt - requests[1]!.receivedAt).toBeGreaterThanOrEqual(40);

      const { attempts } = await service.getDelivery(delivery!.id);
      expect(attempts.map((attempt) => attempt.status_code)).toEqual([500, 500, 200]);
      expect(attempts.map((attempt) => attempt.error)).toEqual([
        'Unexpected status 500: boom 0',
        'Unexpected status 500: boom 1',
        null,
      ]);
      for (const attempt of attempts) expect(attempt.duration_ms).toBeGreaterThanOrEqual(0);
    },
  );

  it.skipIf(!variant.available)("honours a 429's Retry-After over its own schedule", async () => {
    const context = await shared();
    const hook = await receiver((_request, attempt, response) => {
      if (attempt === 0) response.writeHead(429, { 'retry-after': '1' }).end();
      else response.writeHead(204).end();
    });
    context.jobs.set('job_r', jobRow('job_r', hook.url));
    startService(context, { retrySchedule: [60_000] });
    await publish(context, 'job_r', 'job.failed');
    const [delivery] = await settled(context, { jobId: 'job_r' });
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 2, event_type: 'job.failed' });
    const [first, second] = hook.byId(delivery!.id);
    const gap = second!.receivedAt - first!.receivedAt;
    expect(gap).toBeGreaterThanOrEqual(900);
    expect(gap).toBeLessThan(5_000);
  });

  it.skipIf(!variant.available)('does not follow redirects: a 3xx is a failed attempt', async () => {
    const context = await shared();
    const hook = await receiver((request, _attempt, response) => {
      if (request.path === '/moved') response.writeHead(302, { location: '/elsewhere' }).end();
      else response.writeHead(204).end();
    });
    context.jobs.set('job_m', jobRow('job_m', `${hook.url}/moved`));
    startService(context, { maxAttempts: 2, retrySchedule: [20] });
    await publish(context, 'job_m', 'job.succeeded');
    const [delivery] = await settled(context, { jobId: 'job_m' });
    expect(delivery).toMatchObject({
      status: 'failed',
      attempts: 2,
      last_status_code: 302,
      last_error: 'Redirect 302 not followed (location: /elsewhere).',
    });
    expect(hook.received.map((request) => request.path)).toEqual(['/moved', '/moved']);
  });

  it.skipIf(!variant.available)(
    'gives up after maxAttempts and records why; a timeout is an attempt too',
    async () => {
      const context = await shared();
      const hook = await receiver(() => undefined); // never answers
      context.jobs.set('job_t', jobRow('job_t', hook.url));
      startService(context, { maxAttempts: 2, retrySchedule: [10], timeoutMs: 200 });
      await publish(context, 'job_t', 'job.canceled');
      const [delivery] = await settled(context, { jobId: 'job_t' });
      expect(delivery).toMatchObject({
        status: 'failed',
        attempts: 2,
        last_status_code: null,
        last_error: 'No answer within 200 ms.',
      });
      expect(hook.byId(delivery!.id)).toHaveLength(2);
    },
  );

  it.skipIf(!variant.available)(
    'refuses private targets when subscribing, and again when connecting',
    async () => {
      const context = await shared();
      const hook = await receiver();
      const guarded = startService(context, {
        // A public-looking name that resolves to loopback: only the connect-time check can catch it.
        guard: { resolve: async () => [{ address: '127.0.0.1', family: 4 }] },
      });
      for (const url of [
        'http://169.254.169.254/latest/meta-data/',
        'http://127.0.0.1/',
        'http://localhost:9/',
      ]) {
        await expect(guarded.createSubscription({ url, eventTypes: ['*'] })).rejects.toMatchObject({
          status: 400,
          code: 'url_forbidden',
          param: 'url',
        });
      }
      await expect(
        guarded.createSubscription({ url: 'http://127.0.0.1/', eventTypes: ['*'] }),
      ).rejects.toBeInstanceOf(InvalidRequestError);
      expect(await guarded.listSubscriptions()).toEqual([]);

      const port = new URL(hook.url).port;
      const { subscription } = await guarded.createSubscription({
        url: `http://hooks.example.test:${port}/`,
        eventTypes: ['job.succeeded'],
      });
      context.jobs.set('job_s', jobRow('job_s', null));
      await publish(context, 'job_s', 'job.succeeded');
      const [delivery] = await settled(context, { jobId: 'job_s' });
      expect(delivery).toMatchObject({
        status: 'failed',
        attempts: 1,
        subscription_id: subscription.id,
        last_status_code: null,
        last_error:
          'This URL cannot be fetched: the host hooks.example.test resolves to the non-public address 127.0.0.1.',
      });
      expect(hook.received).toHaveLength(0);
    },
  );

  it.skipIf(!variant.available)(
    'fails a delivery whose secret cannot be opened, without sending it',
    async () => {
      const context = await shared();
      const hook = await receiver();
      // Sealed under another master key, as after a key change.
      const elsewhere = new WebhookService({
        repository: context.repository,
        jobs: { get: context.get },
        bus: new MemoryJobEventBus(),
        events: noStoredEvents,
        secretBox: SecretBox.fromMasterKey('another master key'),
        dispatcher: createGuardedDispatcher({ allowPrivateHosts: true }),
        signingSecret,
        logger: pino({ level: 'silent' }),
      });
      await elsewhere.createSubscription({ url: hook.url, eventTypes: ['*'] });
      startService(context);
      context.jobs.set('job_k', jobRow('job_k', null));
      await publish(context, 'job_k', 'job.succeeded');
      const [delivery] = await settled(context, { jobId: 'job_k' });
      expect(delivery).toMatchObject({
        status: 'failed',
        attempts: 0,
        last_error: 'The subscription secret cannot be opened (was the master key changed?).',
      });
      expect(hook.received).toHaveLength(0);
    },
  );

  it.skipIf(!variant.available)(
    'two services on one database and bus enqueue each event once and never send an attempt twice',
    async () => {
      const context = await shared();
      const subscriptionSecrets: string[] = [];
      const inFlight = new Map<string, number>();
      let overlapping = 0;
      const hook = await receiver(
        (request, attempt, response) => {
          const id = String(request.headers['webhook-id']);
          inFlight.set(id, (inFlight.get(id) ?? 0) + 1);
          if (inFlight.get(id)! > 1) overlapping++;
          setTimeout(() => {
            inFlight.set(id, inFlight.get(id)! - 1);
            response.writeHead(attempt === 0 ? 503 : 204).end();
          }, 15);
        },
        () => [signingSecret, ...subscriptionSecrets],
      );
      const first = startService(context, { concurrency: 4 });
      startService(context, { concurrency: 4 });
      const { secret } = await first.createSubscription({ url: `${hook.url}/all`, eventTypes: ['*'] });
      subscriptionSecrets.push(secret);

      const jobCount = 12;
      for (let index = 0; index < jobCount; index++) {
        context.jobs.set(`job_${index}`, jobRow(`job_${index}`, `${hook.url}/job`));
        await publish(context, `job_${index}`, 'job.succeeded');
      }
      const deliveries = (
        await Promise.all(
          Array.from({ length: jobCount }, (_, index) => settled(context, { jobId: `job_${index}` }, 2)),
        )
      ).flat();
      // One per (event, target): the per-job URL and the subscription, for each job.
      expect(deliveries).toHaveLength(jobCount * 2);
      expect(new Set(deliveries.map((delivery) => delivery.id)).size).toBe(jobCount * 2);
      await new Promise((resolve) => setTimeout(resolve, 200)); // room for any duplicate to show up
      for (const delivery of deliveries) {
        expect(delivery).toMatchObject({ status: 'delivered', attempts: 2 });
        const requests = hook.byId(delivery.id);
        expect(requests).toHaveLength(2);
        expect(requests.every((request) => request.verifiedBy.length === 1)).toBe(true);
        expect(await context.repository.listAttempts(delivery.id)).toHaveLength(2);
      }
      expect(hook.received).toHaveLength(jobCount * 4);
      expect(overlapping).toBe(0);
    },
  );

  it.skipIf(!variant.available)('routes events by type, and progress only to who asks for it', async () => {
    const context = await shared();
    const secrets: string[] = [];
    const hook = await receiver(accept, () => [signingSecret, ...secrets]);
    const service = startService(context, { subscriptionCacheMs: 0 });
    const failures = await service.createSubscription({
      url: `${hook.url}/failures`,
      eventTypes: ['job.failed'],
    });
    const progress = await service.createSubscription({
      url: `${hook.url}/progress`,
      eventTypes: ['job.progress', 'job.queued'],
    });
    const everything = await service.createSubscription({ url: `${hook.url}/all`, eventTypes: ['*'] });
    secrets.push(failures.secret, progress.secret, everything.secret);
    context.jobs.set('job_p', jobRow('job_p', `${hook.url}/job`));
    for (const type of ['job.queued', 'job.started', 'job.progress', 'job.failed'] as const) {
      await publish(context, 'job_p', type);
    }
    const deliveries = await settled(context, { jobId: 'job_p' }, 8);
    const routes = deliveries
      .map((delivery) => `${delivery.event_type} → ${new URL(delivery.url).pathname}`)
      .sort();
    expect(routes).toEqual([
      'job.failed → /all',
      'job.failed → /failures',
      'job.failed → /job',
      'job.progress → /progress',
      'job.queued → /all',
      'job.queued → /progress',
      'job.started → /all',
      'job.started → /job',
    ]);
    for (const request of hook.received) {
      const expected = { '/job': 0, '/failures': 1, '/progress': 2, '/all': 3 }[request.path];
      expect(request.verifiedBy).toEqual([expected]);
    }

    // A disabled subscription hears nothing new.
    await service.updateSubscription(everything.subscription.id, { enabled: false });
    await publish(context, 'job_p', 'job.canceled');
    await settled(context, { jobId: 'job_p' }, 9);
    expect(
      (await context.repository.listDeliveries({ jobId: 'job_p', limit: 100 }))
        .filter((delivery) => delivery.event_type === 'job.canceled')
        .map((delivery) => new URL(delivery.url).pathname),
    ).toEqual(['/job']);
  });

  it.skipIf(!variant.available)(
    'signs with both secrets during a rotation, then with the new one only',
    async () => {
      const context = await shared();
      const secrets: string[] = [];
      const hook = await receiver(accept, () => secrets);
      const service = startService(context);
      const created = await service.createSubscription({ url: hook.url, eventTypes: ['job.succeeded'] });
      const rotated = await service.rotateSecret(created.subscription.id, 60_000);
      secrets.push(created.secret, rotated.secret);
      expect(rotated.secret).not.toBe(created.secret);

      context.jobs.set('job_1', jobRow('job_1', null));
      await publish(context, 'job_1', 'job.succeeded');
      await settled(context, { jobId: 'job_1' });
      expect(hook.received[0]!.headers['webhook-signature']!.toString().split(' ')).toHaveLength(2);
      expect(hook.received[0]!.verifiedBy).toEqual([0, 1]);

      const again = await service.rotateSecret(created.subscription.id, 0);
      secrets.push(again.secret);
      context.jobs.set('job_2', jobRow('job_2', null));
      await publish(context, 'job_2', 'job.succeeded');
      await settled(context, { jobId: 'job_2' });
      expect(hook.received[1]!.verifiedBy).toEqual([2]);

      // Stored sealed, never in clear.
      const stored = await context.repository.getSubscription(created.subscription.id);
      expect(stored!.secret).toMatch(/^v1:/);
      expect(stored!.secret).not.toContain(again.secret.slice(6));
    },
  );

  it.skipIf(!variant.available)(
    'redelivers a failed delivery with the same id; a deleted subscription ends its pending deliveries',
    async () => {
      const context = await shared();
      let healthy = false;
      const hook = await receiver((_request, _attempt, response) =>
        response.writeHead(healthy ? 204 : 500).end(),
      );
      const service = startService(context, { maxAttempts: 1 });
      context.jobs.set('job_x', jobRow('job_x', hook.url));
      await publish(context, 'job_x', 'job.succeeded');
      const [failed] = await settled(context, { jobId: 'job_x' });
      expect(failed).toMatchObject({ status: 'failed', attempts: 1, last_status_code: 500 });
      await expect(service.redeliver('msg_nope')).rejects.toMatchObject({ status: 404 });

      healthy = true;
      expect((await service.redeliver(failed!.id)).status).toBe('pending');
      const [delivered] = await settled(context, { jobId: 'job_x' });
      expect(delivered).toMatchObject({ id: failed!.id, status: 'delivered', attempts: 1 });
      expect((await service.getDelivery(failed!.id)).attempts.map((attempt) => attempt.status_code)).toEqual([
        500, 204,
      ]);
      expect(hook.byId(failed!.id)).toHaveLength(2);

      // A subscription removed while its delivery waits for a retry.
      healthy = false;
      const patient = startService(context, { retrySchedule: [60_000] });
      const { subscription } = await patient.createSubscription({ url: hook.url, eventTypes: ['*'] });
      context.jobs.set('job_y', jobRow('job_y', null));
      const receivedBefore = hook.received.length;
      await publish(context, 'job_y', 'job.started');
      await hook.waitFor((received) => received.length > receivedBefore);
      const [waiting] = await context.repository.listDeliveries({ jobId: 'job_y', limit: 10 });
      expect(waiting).toMatchObject({ status: 'pending' });
      await expect(service.redeliver(waiting!.id)).rejects.toMatchObject({ status: 409 });
      await patient.deleteSubscription(subscription.id);
      const [ended] = await settled(context, { jobId: 'job_y' });
      expect(ended).toMatchObject({ status: 'failed', last_error: 'The subscription was deleted.' });
      await expect(patient.getSubscription(subscription.id)).rejects.toMatchObject({ status: 404 });
    },
  );
});
