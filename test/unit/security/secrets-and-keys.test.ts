import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuthenticationError } from '../../../src/errors/index.js';
import { ApiKeyService, hashApiKey } from '../../../src/security/api-keys.js';
import { SecretBox, maskSecret } from '../../../src/security/secret-box.js';
import { ApiKeyRepository, openDatabase } from '../../../src/storage/index.js';

describe('SecretBox', () => {
  it('round-trips, never stores plaintext, and detects tampering', () => {
    const box = SecretBox.fromMasterKey('correct horse battery staple');
    const sealed = box.seal('sk-live-secret');
    expect(sealed).not.toContain('sk-live');
    expect(box.open(sealed)).toBe('sk-live-secret');
    expect(box.seal('sk-live-secret')).not.toBe(sealed);
    const tampered = `v1:${Buffer.from(Buffer.from(sealed.slice(3), 'base64').map((byte, index) => (index === 40 ? byte ^ 1 : byte))).toString('base64')}`;
    expect(() => box.open(tampered)).toThrow();
    expect(() => SecretBox.fromMasterKey('another key of sorts').open(sealed)).toThrow();
  });

  it('creates a 0600 key file in the data dir when no master key is given, and reuses it', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'atelier-box-'));
    const sealed = SecretBox.open({ dataDir }).seal('x');
    expect(statSync(join(dataDir, 'master.key')).mode & 0o777).toBe(0o600);
    expect(SecretBox.open({ dataDir }).open(sealed)).toBe('x');
  });

  it('masks secrets', () => {
    expect(maskSecret('sk-abcdefghijkl')).toBe('sk-a…ijkl');
    expect(maskSecret('short')).toBe('****');
  });
});

describe('ApiKeyService', () => {
  it('stores only a hash, authenticates, caches, and revokes', async () => {
    const { db, close } = await openDatabase({ url: 'sqlite::memory:', dataDir: tmpdir() });
    const repository = new ApiKeyRepository(db);
    const keys = new ApiKeyService(repository);
    const { key, record } = await keys.create({ name: 'ci', role: 'user' });
    expect(key).toMatch(/^atl_[\w-]{32}$/);
    expect(record.hash).toBe(hashApiKey(key));
    expect(JSON.stringify(await repository.list())).not.toContain(key);
    expect(await keys.authenticate(key)).toMatchObject({ keyId: record.id, role: 'user' });
    // once verified, the key is answered from the cache without a promise; so is a known-bad key
    expect(keys.authenticate(key)).toMatchObject({ keyId: record.id, role: 'user' });
    await expect(keys.authenticate('atl_wrong')).rejects.toBeInstanceOf(AuthenticationError);
    expect(() => keys.authenticate('atl_wrong')).toThrow(AuthenticationError);
    expect(() => keys.authenticate(undefined)).toThrow(AuthenticationError);
    expect(await keys.revoke(record.id)).toBe(true);
    await expect(keys.authenticate(key)).rejects.toBeInstanceOf(AuthenticationError);
    await close();
  });

  it('creates the bootstrap key once', async () => {
    const { db, close } = await openDatabase({ url: 'sqlite::memory:', dataDir: tmpdir() });
    const keys = new ApiKeyService(new ApiKeyRepository(db));
    expect(await keys.ensureBootstrapKey('bootstrap-key-0123456789')).toBe(true);
    expect(await keys.ensureBootstrapKey('bootstrap-key-0123456789')).toBe(false);
    expect((await keys.authenticate('bootstrap-key-0123456789')).role).toBe('admin');
    await close();
  });
});
