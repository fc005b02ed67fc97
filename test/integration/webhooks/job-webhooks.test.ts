/**
 * End to end with the real job system: a job created with a `webhook_url` runs, and the receiver — which
 * verifies every request with the `standardwebhooks` library — hears `job.started`, `job.retrying` and
 * `job.succeeded` with the job object. Embedded on SQLite and PostgreSQL; and scaled out (BullMQ, Redis event bus,
 * PostgreSQL) with two processes that both see every event, where each delivery still arrives once.
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfiguration } from '../../../src/config/index.js';
import { createJobSystem, type JobSystem } from '../../../src/jobs/job-system.js';
import { SecretBox } from '../../../src/security/secret-box.js';
import { createGuardedDispatcher } from '../../../src/security/ssrf-guard.js';
import { openDatabase } from '../../../src/storage/index.js';
import { WebhookRepository } from '../../../src/storage/repositories/webhook-repository.js';
import { generateWebhookSecret } from '../../../src/webhooks/signature.js';
import { WebhookService } from '../../../src/webhooks/webhook-service.js';
import { createTestDatabase, isPostgresAvailable, type TestDatabase } from '../../support/databases.js';
import { deleteRedisPrefix, isRedisAvailable, redisUrl } from '../../support/redis.js';
import { createTestJobHandler, newObservations } from '../../support/test-job-handler.js';
import { startReceiver, type ReceivedWebhook } from './webhook-receiver.js';

const postgres = await isPostgresAvailable();
const redis = await isRedisAvailable();

const variants = [
  { name: 'embedded on SQLite', database: 'sqlite', bull: false, processes: 1, available: true },
  { name: 'embedded on PostgreSQL', database: 'postgres', bull: false, processes: 1, available: postgres },
  {
    name: 'two processes, BullMQ and Redis events on PostgreSQL',
    database: 'postgres',
    bull: true,
    processes: 2,
    available: postgres && redis,
  },
] as const;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe.each(variants)('job webhooks: $name', (variant) => {
  const signingSecret = generateWebhookSecret();
  const secretBox = SecretBox.fromMasterKey('job-webhook-tests');

  /** One "process": its own database handle, job system and webhook service. */
  async function startProcess(testDatabase: TestDatabase, prefix: string) {
    const database = await openDatabase({ url: testDatabase.url, dataDir: testDatabase.dataDir });
    const configuration = parseConfiguration(
      { jobs: { lease_ms: 2_000, poll_interval_ms: 50, redis_prefix: prefix } },
      'test',
    );
    const system: JobSystem = await createJobSystem({
      db: database.db,
      configuration: configuration.jobs,
      redisUrl: variant.bull ? redisUrl : undefined,
      logger: pino({ level: 'silent' }),
    });
    system.handlers.register(
      createTestJobHandler(newObservations(), { concurrency: 2, timeoutMs: 30_000, maxAttempts: 2 }),
    );
    const dispatcher = createGuardedDispatcher({ allowPrivateHosts: true });
    const webhooks = new WebhookService({
      repository: new WebhookRepository(database.db),
      jobs: system.service,
      bus: system.bus,
      events: system.repository,
      secretBox,
      dispatcher,
      signingSecret,
      logger: pino({ level: 'silent' }),
      retrySchedule: [50],
      pollIntervalMs: 50,
    });
    webhooks.start();
    await system.startWorkers();
    cleanups.push(async () => {
      await system.stop();
      await webhooks.stop();
      await dispatcher.close();
      await database.close();
    });
    return { system, webhooks };
  }

  async function start() {
    const testDatabase = await createTestDatabase(variant.database);
    const prefix = `atelier-webhooks-${randomBytes(4).toString('hex')}`;
    cleanups.push(async () => {
      await testDatabase.drop();
      if (variant.bull) await deleteRedisPrefix(prefix);
    });
    const processes = [];
    for (let index = 0; index < variant.processes; index++) {
      processes.push(await startProcess(testDatabase, prefix));
    }
    return processes;
  }

  it.skipIf(!variant.available)(
    "delivers the job's life to its webhook_url and to subscriptions, each once, verified",
    async () => {
      const [first, ...others] = await start();
      const secrets = [signingSecret];
      const hook = await startReceiver({ secrets: () => secrets });
      cleanups.push(() => hook.close());
      const { secret } = await first!.webhooks.createSubscription({
        url: `${hook.url}/failures`,
        eventTypes: ['job.failed'],
      });
      secrets.push(secret);

      const { job: good } = await first!.system.service.create({
        type: 'test.work',
        input: { label: 'good', steps: 2, sleepMs: 100, failAttempts: 1 },
        apiKeyId: null,
        webhookUrl: `${hook.url}/job`,
      });
      const { job: bad } = await (others[0] ?? first)!.system.service.create({
        type: 'test.work',
        input: { label: 'bad', fatal: true },
        apiKeyId: null,
        webhookUrl: `${hook.url}/job`,
      });

      const heard = (jobId: string, type: string) => (received: ReceivedWebhook[]) =>
        received.some((request) => request.payload.type === type && request.payload.data.id === jobId);
      await hook.waitFor(
        (received) => heard(good.id, 'job.succeeded')(received) && heard(bad.id, 'job.failed')(received),
      );
      await new Promise((resolve) => setTimeout(resolve, 300)); // room for any duplicate to show up

      const summary = hook.received.map(
        (request) => `${request.path} ${request.payload.type} ${request.payload.data.id}`,
      );
      expect(summary.sort()).toEqual(
        [
          `/job job.started ${good.id}`,
          `/job job.retrying ${good.id}`,
          `/job job.started ${good.id}`,
          `/job job.succeeded ${good.id}`,
          `/job job.started ${bad.id}`,
          `/job job.failed ${bad.id}`,
          `/failures job.failed ${bad.id}`,
        ].sort(),
      );
      expect(new Set(hook.received.map((request) => request.headers['webhook-id'])).size).toBe(7);
      for (const request of hook.received) {
        expect(request.verifiedBy).toEqual([request.path === '/job' ? 0 : 1]);
      }

      const succeeded = hook.received.find((request) => request.payload.type === 'job.succeeded')!;
      expect(succeeded.payload).toEqual({
        type: 'job.succeeded',
        timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        data: expect.objectContaining({
          id: good.id,
          object: 'job',
          type: 'test.work',
          status: 'succeeded',
          progress: 100,
          input: expect.objectContaining({ label: 'good' }),
          output: { label: 'good', attempt: 2, resumedFrom: { startedAttempt: 1 } },
          error: null,
          created_at: Math.floor(good.created_at / 1000),
          finished_at: expect.any(Number),
        }),
      });
      const failed = hook.received.find(
        (request) => request.path === '/job' && request.payload.type === 'job.failed',
      )!;
      expect(failed.payload.data).toMatchObject({
        id: bad.id,
        status: 'failed',
        error: expect.objectContaining({ message: 'fatal failure on purpose' }),
      });

      const deliveries = await first!.webhooks.listDeliveries({ jobId: good.id, limit: 10 });
      expect(deliveries.map((delivery) => [delivery.event_type, delivery.status, delivery.attempts])).toEqual(
        expect.arrayContaining([
          ['job.started', 'delivered', 1],
          ['job.retrying', 'delivered', 1],
          ['job.succeeded', 'delivered', 1],
        ]),
      );
      expect(deliveries).toHaveLength(4);
    },
  );
});
