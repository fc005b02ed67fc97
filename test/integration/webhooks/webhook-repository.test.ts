/**
 * The delivery outbox's guarantees, on SQLite and PostgreSQL: insert once, claim once, settle only while held,
 * and delete only what has finished.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/storage/index.js';
import { WebhookRepository } from '../../../src/storage/repositories/webhook-repository.js';
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

describe.each(variants)('webhook repository on $name', (variant) => {
  async function open() {
    const testDatabase = await createTestDatabase(variant.name);
    // Two handles on one database, as two processes would have.
    const first = await openDatabase({ url: testDatabase.url, dataDir: testDatabase.dataDir });
    const second = await openDatabase({ url: testDatabase.url, dataDir: testDatabase.dataDir });
    cleanups.push(async () => {
      await first.close();
      await second.close();
      await testDatabase.drop();
    });
    return [new WebhookRepository(first.db), new WebhookRepository(second.db)] as const;
  }

  function delivery(id: string, nextAttemptAt = 1_000) {
    return {
      id,
      subscription_id: null,
      job_id: 'job_1',
      url: 'https://example.com/hook',
      event_type: 'job.succeeded',
      payload: '{}',
      status: 'pending' as const,
      attempts: 0,
      next_attempt_at: nextAttemptAt,
      last_status_code: null,
      last_error: null,
      created_at: nextAttemptAt,
      delivered_at: null,
    };
  }

  it.skipIf(!variant.available)('inserts a delivery once, whoever inserts it', async () => {
    const [first, second] = await open();
    const results = await Promise.all([
      first.insertDelivery(delivery('msg_1')),
      second.insertDelivery({ ...delivery('msg_1'), payload: '{"other":true}' }),
      first.insertDelivery(delivery('msg_1')),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await first.listDeliveries({ limit: 10 })).toHaveLength(1);
  });

  it.skipIf(!variant.available)('hands each due delivery to one claimer only', async () => {
    const [first, second] = await open();
    for (let index = 0; index < 30; index++)
      await first.insertDelivery(delivery(`msg_${index}`, 1_000 + index));
    await first.insertDelivery(delivery('msg_later', 50_000));
    const rounds = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        (index % 2 ? second : first).claimDue({ now: 10_000, leaseMs: 5_000, limit: 10 }),
      ),
    );
    const racing = rounds.flat().map((claim) => claim.delivery.id);
    expect(new Set(racing).size).toBe(racing.length);
    // Whatever the racers left is still there for the next claim, and nothing was handed out twice.
    const rest = (await first.claimDue({ now: 10_000, leaseMs: 5_000, limit: 50 })).map(
      (claim) => claim.delivery.id,
    );
    expect([...racing, ...rest].sort()).toEqual(
      Array.from({ length: 30 }, (_, index) => `msg_${index}`).sort(),
    );
    // Held until the lease runs out, then due again.
    expect(await first.claimDue({ now: 14_999, leaseMs: 5_000, limit: 50 })).toEqual([]);
    expect(await first.claimDue({ now: 15_000, leaseMs: 5_000, limit: 50 })).toHaveLength(30);
  });

  it.skipIf(!variant.available)('settles only while the claim is held', async () => {
    const [first, second] = await open();
    await first.insertDelivery(delivery('msg_1'));
    const [stale] = await first.claimDue({ now: 2_000, leaseMs: 1_000, limit: 1 });
    // The lease lapsed (the first process looked dead); the second process takes over.
    const [fresh] = await second.claimDue({ now: 3_000, leaseMs: 1_000, limit: 1 });
    const attempt = { attemptedAt: 3_100, statusCode: 200, error: null, durationMs: 5 };
    expect(await first.settle(stale!, attempt, { status: 'delivered', deliveredAt: 3_100 }, null)).toBe(
      false,
    );
    expect(await first.listAttempts('msg_1')).toEqual([]);
    expect(await second.settle(fresh!, attempt, { status: 'delivered', deliveredAt: 3_100 }, null)).toBe(
      true,
    );
    expect(await first.getDelivery('msg_1')).toMatchObject({
      status: 'delivered',
      attempts: 1,
      last_status_code: 200,
      delivered_at: 3_100,
    });
    expect(await first.listAttempts('msg_1')).toHaveLength(1);
    // Nothing more to settle, nothing more to claim.
    expect(await second.settle(fresh!, attempt, { status: 'failed' }, 'late')).toBe(false);
    expect(await second.claimDue({ now: 99_000, leaseMs: 1_000, limit: 5 })).toEqual([]);
  });

  it.skipIf(!variant.available)(
    'deletes finished deliveries settled before a time, with their attempts, at most a limit at once',
    async () => {
      const [repository] = await open();
      const attempt = { attemptedAt: 100, statusCode: 500, error: null, durationMs: 5 };
      // Three settled long ago, each with its attempt logged: two delivered, one failed for good.
      for (const id of ['msg_a', 'msg_b', 'msg_c']) await repository.insertDelivery(delivery(id, 100));
      for (const claim of await repository.claimDue({ now: 100, leaseMs: 10, limit: 3 })) {
        const outcome =
          claim.delivery.id === 'msg_c'
            ? ({ status: 'failed' } as const)
            : ({ status: 'delivered', deliveredAt: 100 } as const);
        expect(await repository.settle(claim, attempt, outcome, null)).toBe(true);
      }
      // Pending ones stay however old: one waiting for its next attempt, one claimed and in flight.
      await repository.insertDelivery(delivery('msg_retrying', 100));
      const [retrying] = await repository.claimDue({ now: 100, leaseMs: 10, limit: 1 });
      await repository.settle(retrying!, attempt, { status: 'pending', nextAttemptAt: 200 }, 'HTTP 500');
      await repository.insertDelivery(delivery('msg_in_flight', 100));
      expect(await repository.claimDue({ now: 100, leaseMs: 10, limit: 5 })).toHaveLength(1);
      // Finished, but recently.
      await repository.insertDelivery({
        ...delivery('msg_recent', 9_000),
        status: 'delivered',
        delivered_at: 9_000,
      });

      expect(await repository.deleteFinishedBefore(1_000, 2)).toBe(2);
      expect(await repository.deleteFinishedBefore(1_000, 2)).toBe(1);
      expect(await repository.deleteFinishedBefore(1_000, 2)).toBe(0);
      const left = await repository.listDeliveries({ limit: 10 });
      expect(left.map((row) => row.id).sort()).toEqual(['msg_in_flight', 'msg_recent', 'msg_retrying']);
      for (const id of ['msg_a', 'msg_b', 'msg_c']) expect(await repository.listAttempts(id)).toEqual([]);
      expect(await repository.listAttempts('msg_retrying')).toHaveLength(1);
    },
  );
});
