import { describe, expect, it } from 'vitest';
import { providerErrorFromStatus } from '../../../src/errors/index.js';
import { CredentialPool, type Lease, type PoolCredential } from '../../../src/gateway/credential-pool.js';

const policy = { defaultCooldownMs: 30_000, failureThreshold: 3, probeIntervalMs: 10_000 };

function credential(id: string, overrides: Partial<PoolCredential> = {}): PoolCredential {
  return {
    id,
    providerId: 'p',
    label: id,
    preview: '****',
    weight: 1,
    priority: 0,
    maxConcurrency: 0,
    enabled: true,
    source: 'config',
    resolve: async () => ({ id, apiKey: id }),
    ...overrides,
  };
}

function setup(credentials: PoolCredential[], random = () => 0.5) {
  let now = 1_000_000;
  const clock = { advance: (ms: number) => (now += ms), now: () => now };
  const pool = new CredentialPool('p', policy, () => undefined, clock.now, random);
  pool.setCredentials(credentials);
  const signal = new AbortController().signal;
  const acquire = async (excluded: string[] = [], waitMs = 0) =>
    pool.acquire(new Set(excluded), signal, waitMs);
  return { pool, clock, acquire };
}

const failure = (status: number, retryAfterMs?: number) =>
  providerErrorFromStatus({ provider: 'p', status, message: `status ${status}`, retryAfterMs });

describe('CredentialPool', () => {
  it('uses the lowest priority tier first and falls back to the next one', async () => {
    const { acquire } = setup([credential('backup', { priority: 1 }), credential('main', { priority: 0 })]);
    const first = (await acquire()) as Lease;
    expect(first.credential.id).toBe('main');
    const second = (await acquire(['main'])) as Lease;
    expect(second.credential.id).toBe('backup');
    expect(await acquire(['main', 'backup'])).toBeUndefined();
  });

  it('shares a tier by weight', async () => {
    let sequence = 0;
    const randoms = Array.from({ length: 400 }, (_, index) => (index + 0.5) / 400);
    const { acquire } = setup(
      [credential('heavy', { weight: 3 }), credential('light', { weight: 1 })],
      () => randoms[sequence++ % 400]!,
    );
    const counts: Record<string, number> = { heavy: 0, light: 0 };
    for (let index = 0; index < 400; index++) {
      const lease = (await acquire()) as Lease;
      counts[lease.credential.id]!++;
      lease.release('success');
    }
    expect(counts.heavy).toBe(300);
    expect(counts.light).toBe(100);
  });

  it('prefers credentials with fewer requests in flight', async () => {
    const { acquire } = setup([credential('a'), credential('b')], () => 0.49);
    const first = (await acquire()) as Lease;
    const second = (await acquire()) as Lease;
    expect(new Set([first.credential.id, second.credential.id]).size).toBe(2);
  });

  it('respects max_concurrency, waits for a release, then reports saturation', async () => {
    const { acquire } = setup([credential('only', { maxConcurrency: 1 })]);
    const held = (await acquire()) as Lease;
    expect(await acquire([], 0)).toBe('saturated');
    const waiting = acquire([], 1_000);
    setTimeout(() => held.release('success'), 20);
    const next = await waiting;
    expect(next).not.toBe('saturated');
    expect((next as Lease).credential.id).toBe('only');
  });

  it('cools a credential down for Retry-After on 429', async () => {
    const { acquire, clock, pool } = setup([credential('a')]);
    const lease = (await acquire()) as Lease;
    lease.release(failure(429, 5_000));
    expect(await acquire()).toBeUndefined();
    clock.advance(5_001);
    expect(((await acquire()) as Lease).credential.id).toBe('a');
    expect(pool.list()[0]!.health.consecutiveFailures).toBe(0);
  });

  it('uses the default cooldown when a 429 has no Retry-After', async () => {
    const { acquire, clock } = setup([credential('a')]);
    ((await acquire()) as Lease).release(failure(429));
    clock.advance(29_000);
    expect(await acquire()).toBeUndefined();
    clock.advance(1_001);
    expect(await acquire()).toBeDefined();
  });

  it('disables after consecutive failures, probes half-open once, and re-enables on success', async () => {
    const { acquire, clock, pool } = setup([credential('a')]);
    for (let index = 0; index < 3; index++) ((await acquire()) as Lease).release(failure(500));
    expect(pool.list()[0]!.health.disabledReason).toMatch(/3 consecutive failures/);
    expect(await acquire()).toBeUndefined();
    clock.advance(10_001);
    const probe = (await acquire()) as Lease;
    expect(probe.probe).toBe(true);
    // Only one probe at a time.
    expect(await acquire()).toBeUndefined();
    probe.release('success');
    expect(pool.list()[0]!.health.disabledReason).toBeUndefined();
    expect(((await acquire()) as Lease).probe).toBe(false);
  });

  it('backs off probes that fail', async () => {
    const { acquire, clock, pool } = setup([credential('a')]);
    for (let index = 0; index < 3; index++) ((await acquire()) as Lease).release(failure(503));
    clock.advance(10_001);
    ((await acquire()) as Lease).release(failure(500));
    clock.advance(10_001);
    expect(await acquire()).toBeUndefined();
    clock.advance(10_000);
    expect(await acquire()).toBeDefined();
    expect(pool.list()[0]!.health.probeBackoffMs).toBe(20_000);
  });

  it('disables at once on authentication errors, with no automatic probe', async () => {
    const { acquire, clock, pool } = setup([credential('a')]);
    ((await acquire()) as Lease).release(failure(401));
    const { health } = pool.list()[0]!;
    expect(health.disabledReason).toMatch(/rejected credential/);
    clock.advance(3_600_000);
    expect(await acquire()).toBeUndefined();
    pool.reset('a');
    expect(await acquire()).toBeDefined();
  });

  it('does not count client errors against the credential', async () => {
    const { acquire, pool } = setup([credential('a')]);
    for (let index = 0; index < 10; index++) ((await acquire()) as Lease).release(failure(400));
    const { health } = pool.list()[0]!;
    expect(health.consecutiveFailures).toBe(0);
    expect(health.disabledReason).toBeUndefined();
    expect(health.totalFailures).toBe(0);
  });

  it('skips administratively disabled credentials', async () => {
    const { acquire } = setup([credential('off', { enabled: false }), credential('on')]);
    for (let index = 0; index < 5; index++) {
      const lease = (await acquire()) as Lease;
      expect(lease.credential.id).toBe('on');
      lease.release('success');
    }
  });
});
