/**
 * Client API keys: random, shown once, stored as SHA-256 hashes (the keys carry 190+ bits of entropy,
 * so a fast hash is the right tool). Verdicts are cached for 30 s by the key as presented, so the hot path
 * needs neither a query nor a hash; the plain key lives only in this process's memory, never on disk.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AuthenticationError } from '../errors/index.js';
import type { ApiKeyRecord, ApiKeyRepository } from '../storage/index.js';

export type Role = 'admin' | 'user';

export interface Principal {
  keyId: string;
  name: string;
  role: Role;
}

const cacheTtlMs = 30_000;
const touchIntervalMs = 60_000;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function generateApiKey(): string {
  return `atl_${randomBytes(24).toString('base64url')}`;
}

export class ApiKeyService {
  private readonly cache = new Map<string, { principal: Principal | undefined; expiresAt: number }>();
  private readonly pendingTouches = new Set<string>();
  private touchTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repository: ApiKeyRepository,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Create a key; the plaintext is returned here and never again. */
  async create(input: {
    name: string;
    role: Role;
    key?: string;
  }): Promise<{ key: string; record: ApiKeyRecord }> {
    const key = input.key ?? generateApiKey();
    const record: ApiKeyRecord = {
      id: `key_${randomUUID().replace(/-/g, '').slice(0, 20)}`,
      name: input.name,
      prefix: key.slice(0, 8),
      hash: hashApiKey(key),
      role: input.role,
      created_at: this.clock(),
      last_used_at: null,
      revoked_at: null,
    };
    await this.repository.insert(record);
    return { key, record };
  }

  /** Create the bootstrap admin key unless a key with that value already exists. */
  async ensureBootstrapKey(key: string): Promise<boolean> {
    if (await this.repository.findByHash(hashApiKey(key))) return false;
    await this.create({ name: 'bootstrap', role: 'admin', key });
    return true;
  }

  /**
   * The principal behind a key. Synchronous when the verdict is cached (the hot path), a promise when the
   * database must be asked; a missing, unknown or revoked key throws (or rejects) AuthenticationError.
   */
  authenticate(key: string | undefined): Principal | Promise<Principal> {
    if (!key) throw new AuthenticationError('Missing API key.');
    const cached = this.cache.get(key);
    if (cached && cached.expiresAt > this.clock()) return this.admit(cached.principal);
    return this.repository.findByHash(hashApiKey(key)).then((record) => {
      const principal =
        record && record.revoked_at === null
          ? { keyId: record.id, name: record.name, role: record.role }
          : undefined;
      if (this.cache.size > 10_000) this.cache.clear();
      this.cache.set(key, { principal, expiresAt: this.clock() + cacheTtlMs });
      return this.admit(principal);
    });
  }

  private admit(principal: Principal | undefined): Principal {
    if (!principal) throw new AuthenticationError('Invalid API key.');
    this.scheduleTouch(principal.keyId);
    return principal;
  }

  async revoke(id: string): Promise<boolean> {
    const revoked = await this.repository.revoke(id, this.clock());
    // Drop every cached verdict: the cache is keyed by the presented key, which we cannot map to an id.
    this.cache.clear();
    return revoked;
  }

  list(): Promise<ApiKeyRecord[]> {
    return this.repository.list();
  }

  /** last_used_at is written in batches, at most once a minute. */
  private scheduleTouch(keyId: string): void {
    this.pendingTouches.add(keyId);
    if (this.touchTimer) return;
    this.touchTimer = setTimeout(() => void this.flushTouches(), touchIntervalMs);
    this.touchTimer.unref();
  }

  async flushTouches(): Promise<void> {
    if (this.touchTimer) clearTimeout(this.touchTimer);
    this.touchTimer = undefined;
    const ids = [...this.pendingTouches];
    this.pendingTouches.clear();
    await this.repository.touch(ids, this.clock()).catch(() => undefined);
  }
}
