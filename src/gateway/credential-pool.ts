/**
 * The credentials of one provider, and the policy that picks one for each attempt:
 * - priority tiers, lowest first; a tier is used when it has a free credential (higher tiers are fallbacks
 *   for failures and saturation);
 * - inside a tier, a weighted random choice where each weight is divided by (1 + requests in flight);
 * - max_concurrency respected: when every eligible credential is saturated the caller waits briefly;
 * - 429 cools a credential down; consecutive failures disable it; authentication and quota errors disable it
 *   at once; a disabled credential gets one half-open probe request when its probe time comes.
 */
import type { ProviderError } from '../errors/index.js';
import type { CallCredential } from '../providers/spec.js';
import type { CancelSignal } from '../providers/cancel-signal.js';

export interface PoolCredential {
  id: string;
  providerId: string;
  label: string;
  /** The secret shown as its first and last characters. */
  preview: string;
  weight: number;
  priority: number;
  maxConcurrency: number;
  /** Administratively enabled (config file or admin API). */
  enabled: boolean;
  source: 'config' | 'database';
  /** The secret to use for one call (a static key, or a freshly refreshed OAuth token). */
  resolve(signal: CancelSignal): Promise<CallCredential>;
}

export interface CredentialHealth {
  inFlight: number;
  cooldownUntil: number;
  consecutiveFailures: number;
  disabledReason: string | undefined;
  disabledAt: number | undefined;
  /** When a disabled credential may take its next half-open probe; undefined means only an admin re-enables it. */
  nextProbeAt: number | undefined;
  probeBackoffMs: number;
  probing: boolean;
  totalRequests: number;
  totalFailures: number;
  lastError: string | undefined;
  lastErrorAt: number | undefined;
}

export interface PoolPolicy {
  defaultCooldownMs: number;
  failureThreshold: number;
  probeIntervalMs: number;
}

/** How an attempt ended: success, neutral (client gone, client error), or an upstream failure. */
export type Outcome = 'success' | 'neutral' | ProviderError;

export interface Lease {
  credential: PoolCredential;
  /** True when this lease is the half-open probe of a disabled credential. */
  probe: boolean;
  release(outcome: Outcome): void;
}

type Selection = { lease: Lease } | { saturated: boolean };

const maximumProbeBackoffMs = 10 * 60_000;

export class CredentialPool {
  private readonly health = new Map<string, CredentialHealth>();
  private readonly waiters = new Set<() => void>();
  private credentials: PoolCredential[] = [];

  constructor(
    readonly providerId: string,
    private readonly policy: PoolPolicy,
    private readonly onChange: (credential: PoolCredential, health: CredentialHealth) => void = () =>
      undefined,
    private readonly clock: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {}

  /** Replace the credential list, keeping the health of credentials that stay. */
  setCredentials(credentials: PoolCredential[]): void {
    this.credentials = [...credentials].sort((a, b) => a.priority - b.priority);
    const keep = new Set(credentials.map((credential) => credential.id));
    for (const id of this.health.keys()) if (!keep.has(id)) this.health.delete(id);
    for (const credential of credentials)
      if (!this.health.has(credential.id)) this.health.set(credential.id, freshHealth());
    this.wake();
  }

  list(): ReadonlyArray<{ credential: PoolCredential; health: Readonly<CredentialHealth> }> {
    return this.credentials.map((credential) => ({ credential, health: this.healthOf(credential.id) }));
  }

  /** Restore persisted health (disabled state, counters) after a restart. */
  restore(id: string, state: Partial<CredentialHealth>): void {
    const health = this.health.get(id);
    if (health) Object.assign(health, state);
  }

  /** Administrative re-enable: clears the disabled state and cooldown. */
  reset(id: string): void {
    const credential = this.credentials.find((candidate) => candidate.id === id);
    const health = this.health.get(id);
    if (!credential || !health) return;
    Object.assign(health, {
      ...freshHealth(),
      inFlight: health.inFlight,
      totalRequests: health.totalRequests,
      totalFailures: health.totalFailures,
    });
    this.onChange(credential, health);
    this.wake();
  }

  /**
   * A lease on the best credential not in `excluded`, waiting up to `waitMs` while all are saturated.
   * Resolves undefined when no credential can serve (all excluded, cooling, disabled or none at all);
   * resolves 'saturated' when all that could serve stayed busy for the whole wait.
   */
  async acquire(
    excluded: ReadonlySet<string>,
    signal: CancelSignal,
    waitMs: number,
  ): Promise<Lease | 'saturated' | undefined> {
    const deadline = this.clock() + waitMs;
    for (;;) {
      const selection = this.select(excluded);
      if ('lease' in selection) return selection.lease;
      if (!selection.saturated) return undefined;
      const remaining = deadline - this.clock();
      if (remaining <= 0 || signal.aborted) return 'saturated';
      await this.waitForRelease(remaining, signal);
    }
  }

  private select(excluded: ReadonlySet<string>): Selection {
    const now = this.clock();
    let saturated = false;
    let tierStart = 0;
    while (tierStart < this.credentials.length) {
      const priority = this.credentials[tierStart]!.priority;
      let tierEnd = tierStart;
      while (tierEnd < this.credentials.length && this.credentials[tierEnd]!.priority === priority) tierEnd++;
      const free: Array<{ credential: PoolCredential; probe: boolean; score: number }> = [];
      for (let index = tierStart; index < tierEnd; index++) {
        const credential = this.credentials[index]!;
        const health = this.healthOf(credential.id);
        if (!credential.enabled || excluded.has(credential.id) || health.cooldownUntil > now) continue;
        let probe = false;
        if (health.disabledReason !== undefined) {
          if (health.nextProbeAt === undefined || health.nextProbeAt > now || health.probing) continue;
          probe = true;
        }
        if (credential.maxConcurrency > 0 && health.inFlight >= credential.maxConcurrency) {
          saturated = true;
          continue;
        }
        free.push({ credential, probe, score: credential.weight / (1 + health.inFlight) });
      }
      if (free.length > 0) return { lease: this.lease(pickWeighted(free, this.random)) };
      tierStart = tierEnd;
    }
    return { saturated };
  }

  private lease(choice: { credential: PoolCredential; probe: boolean }): Lease {
    const { credential, probe } = choice;
    const health = this.healthOf(credential.id);
    health.inFlight++;
    health.totalRequests++;
    if (probe) health.probing = true;
    let released = false;
    return {
      credential,
      probe,
      release: (outcome) => {
        if (released) return;
        released = true;
        health.inFlight--;
        if (probe) health.probing = false;
        this.record(credential, health, outcome, probe);
        this.wake();
      },
    };
  }

  private record(
    credential: PoolCredential,
    health: CredentialHealth,
    outcome: Outcome,
    probe: boolean,
  ): void {
    const now = this.clock();
    if (outcome === 'neutral') return;
    if (outcome === 'success') {
      const changed = health.consecutiveFailures > 0 || health.disabledReason !== undefined;
      health.consecutiveFailures = 0;
      if (health.disabledReason !== undefined && probe) {
        health.disabledReason = undefined;
        health.disabledAt = undefined;
        health.nextProbeAt = undefined;
        health.probeBackoffMs = this.policy.probeIntervalMs;
      }
      if (changed) this.onChange(credential, health);
      return;
    }
    const error = outcome;
    if (error.credentialEffect === 'none') return;
    health.lastError = error.message.slice(0, 500);
    health.lastErrorAt = now;
    health.totalFailures++;
    switch (error.credentialEffect) {
      case 'cooldown':
        health.cooldownUntil = now + (error.retryAfterMs ?? this.policy.defaultCooldownMs);
        break;
      case 'failure':
        health.consecutiveFailures++;
        if (probe) this.disable(health, `probe failed: ${health.lastError}`, now, true);
        else if (
          health.disabledReason === undefined &&
          health.consecutiveFailures >= this.policy.failureThreshold
        ) {
          this.disable(
            health,
            `${health.consecutiveFailures} consecutive failures; last: ${health.lastError}`,
            now,
            false,
          );
        }
        break;
      case 'disable': {
        const quota = error.kind === 'quota';
        health.probeBackoffMs = maximumProbeBackoffMs;
        health.disabledReason = `${quota ? 'quota exhausted' : 'rejected credential'}: ${health.lastError}`;
        health.disabledAt = now;
        // Quota may come back (billing, daily reset); a rejected key needs an administrator.
        health.nextProbeAt = quota
          ? now + Math.max(this.policy.probeIntervalMs, maximumProbeBackoffMs)
          : undefined;
        break;
      }
    }
    this.onChange(credential, health);
  }

  private disable(health: CredentialHealth, reason: string, now: number, backOff: boolean): void {
    health.probeBackoffMs = backOff
      ? Math.min(health.probeBackoffMs * 2, maximumProbeBackoffMs)
      : this.policy.probeIntervalMs;
    health.disabledReason = reason;
    health.disabledAt ??= now;
    health.nextProbeAt = now + health.probeBackoffMs;
  }

  private healthOf(id: string): CredentialHealth {
    let health = this.health.get(id);
    if (!health) {
      health = freshHealth();
      this.health.set(id, health);
    }
    return health;
  }

  private waitForRelease(timeoutMs: number, signal: CancelSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      signal.addEventListener('abort', done, { once: true });
      this.waiters.add(done);
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

function freshHealth(): CredentialHealth {
  return {
    inFlight: 0,
    cooldownUntil: 0,
    consecutiveFailures: 0,
    disabledReason: undefined,
    disabledAt: undefined,
    nextProbeAt: undefined,
    probeBackoffMs: 0,
    probing: false,
    totalRequests: 0,
    totalFailures: 0,
    lastError: undefined,
    lastErrorAt: undefined,
  };
}

function pickWeighted<T extends { score: number }>(items: T[], random: () => number): T {
  if (items.length === 1) return items[0]!;
  const total = items.reduce((sum, item) => sum + item.score, 0);
  let point = random() * total;
  for (const item of items) {
    point -= item.score;
    if (point < 0) return item;
  }
  return items[items.length - 1]!;
}
