/**
 * A job event that was stored but never turned into deliveries (the process stopped between the two) is not
 * lost: at start the webhook service replays the recent past. Replaying again delivers nothing twice, and a
 * subscription hears only replayed events that happened after it was created. SQLite and PostgreSQL.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfiguration } from '../../../src/config/index.js';
import { createJobSystem } from '../../../src/jobs/job-system.js';
import { SecretBox } from '../../../src/security/secret-box.js';
import { createGuardedDispatcher } from '../../../src/security/ssrf-guard.js';
import { openDatabase } from '../../../src/storage/index.js';
import { WebhookRepository } from '../../../src/storage/repositories/webhook-repository.js';
import { generateWebhookSecret } from '../../../src/webhooks/signature.js';
import { WebhookService } from '../../../src/webhooks/webhook-service.js';
import { createTestDatabase, isPostgresAvailable } from '../../support/databases.js';
import { createTestJobHandler, newObservations } from '../../support/test-job-handler.js';
import { startReceiver } from './webhook-receiver.js';

const postgres = await isPostgresAvailable();

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe.each([
  ['sqlite', true],
  ['postgres', postgres],
] as const)('webhook replay on %s', (database, available) => {
  it.skipIf(!available)('delivers a stored event that missed live delivery, once', async () => {
    const testDatabase = await createTestDatabase(database);
    const opened = await openDatabase({ url: testDatabase.url, dataDir: testDatabase.dataDir });
    const configuration = parseConfiguration({ jobs: { poll_interval_ms: 50 } }, 'test');
    const system = await createJobSystem({
      db: opened.db,
      configuration: configuration.jobs,
      logger: pino({ level: 'silent' }),
    });
    system.handlers.register(
      createTestJobHandler(newObservations(), { concurrency: 1, timeoutMs: 30_000, maxAttempts: 1 }),
    );
    const signingSecret = generateWebhookSecret();
    const secrets = [signingSecret];
    const hook = await startReceiver({ secrets: () => secrets });
    const dispatcher = createGuardedDispatcher({ allowPrivateHosts: true });
    const repository = new WebhookRepository(opened.db);
    cleanups.push(async () => {
      await system.stop();
      await hook.close();
      await dispatcher.close();
      await opened.close();
      await testDatabase.drop();
    });
    const service = () =>
      new WebhookService({
        repository,
        jobs: system.service,
        bus: system.bus,
        events: system.repository,
        secretBox: SecretBox.fromMasterKey('webhook-replay-tests'),
        dispatcher,
        signingSecret,
        logger: pino({ level: 'silent' }),
        pollIntervalMs: 20,
      });

    // No webhook service is listening: the cancel is stored and published to nobody, as when a process
    // stops between storing an event and enqueueing its deliveries.
    const { job } = await system.service.create({
      type: 'test.work',
      input: { label: 'missed' },
      apiKeyId: null,
      webhookUrl: `${hook.url}/job`,
    });
    await system.service.cancel(job.id);
    // Created after the event: the replay must not send it the old cancel.
    const late = await service().createSubscription({ url: `${hook.url}/late`, eventTypes: ['*'] });
    secrets.push(late.secret);

    const first = service();
    first.start();
    await hook.waitFor((received) => received.some((request) => request.payload.type === 'job.canceled'));
    await first.stop();
    const second = service();
    second.start();
    await second.stop();

    const canceled = hook.received.filter((request) => request.payload.type === 'job.canceled');
    expect(canceled).toHaveLength(1);
    expect(canceled[0]).toMatchObject({ path: '/job', verifiedBy: [0], payload: { data: { id: job.id } } });
    expect(hook.received.filter((request) => request.path === '/late')).toEqual([]);
    const deliveries = await repository.listDeliveries({ limit: 10 });
    expect(deliveries.map((delivery) => delivery.event_type)).toEqual(['job.canceled']);
  });
});
