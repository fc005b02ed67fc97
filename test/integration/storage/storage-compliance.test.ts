/** One suite, every database driver: the repositories behave the same on SQLite and PostgreSQL. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeyRepository,
  CredentialStateRepository,
  openDatabase,
  ProviderRepository,
  UsageRepository,
  type OpenedDatabase,
} from '../../../src/storage/index.js';
import { createTestDatabase, isPostgresAvailable, type TestDatabase } from '../../support/databases.js';

const postgres = await isPostgresAvailable();

const usageRecord = (model: string, status: number, tokens: number) => ({
  created_at: 1_000,
  api_key_id: 'k',
  protocol: 'openai',
  requested_model: model,
  provider_id: 'p',
  upstream_model: model,
  credential_id: 'c',
  status,
  error_kind: null,
  stream: 0,
  attempts: 1,
  latency_ms: 10,
  input_tokens: tokens,
  output_tokens: tokens * 2,
});

describe.each([
  ['sqlite', true],
  ['postgres', postgres],
] as const)('storage on %s', (name, available) => {
  let testDatabase: TestDatabase;
  let opened: OpenedDatabase;

  beforeAll(async () => {
    if (!available) return;
    testDatabase = await createTestDatabase(name);
    opened = await openDatabase({ url: testDatabase.url, dataDir: testDatabase.dataDir });
  });
  afterAll(async () => {
    if (!available) return;
    await opened.close();
    await testDatabase.drop();
  });

  it.skipIf(!available)('migrates idempotently', async () => {
    const again = await openDatabase({ url: testDatabase.url, dataDir: testDatabase.dataDir });
    await again.close();
    expect(opened.dialect).toBe(name);
  });

  it.skipIf(!available)('stores, finds and revokes API keys', async () => {
    const keys = new ApiKeyRepository(opened.db);
    await keys.insert({
      id: 'k1',
      name: 'one',
      prefix: 'atl_abcd',
      hash: 'h1',
      role: 'admin',
      created_at: 1_700_000_000_000,
      last_used_at: null,
      revoked_at: null,
    });
    expect(await keys.findByHash('h1')).toMatchObject({
      id: 'k1',
      role: 'admin',
      created_at: 1_700_000_000_000,
    });
    expect(await keys.revoke('k1', 1_700_000_000_001)).toBe(true);
    expect(await keys.revoke('k1', 1_700_000_000_002)).toBe(false);
    expect((await keys.get('k1'))!.revoked_at).toBe(1_700_000_000_001);
    await keys.touch(['k1'], 5);
    expect((await keys.get('k1'))!.last_used_at).toBe(5);
  });

  it.skipIf(!available)('manages providers and credentials, cascading deletes', async () => {
    const providers = new ProviderRepository(opened.db);
    await providers.insertProvider({
      id: 'p1',
      type: 'openai',
      base_url: null,
      models: '["m"]',
      proxy: null,
      timeout_ms: null,
      headers: '{}',
      options: '{}',
      enabled: 1,
      created_at: 1,
      updated_at: 1,
    });
    await providers.insertCredential({
      id: 'c1',
      provider_id: 'p1',
      label: 'a',
      secret: 'v1:x',
      secret_kind: 'api-key',
      weight: 1.5,
      priority: 0,
      max_concurrency: 2,
      enabled: 1,
      created_at: 1,
    });
    expect(await providers.listCredentials('p1')).toHaveLength(1);
    expect((await providers.getCredential('c1'))!.weight).toBe(1.5);
    await providers.updateProvider('p1', { enabled: 0 });
    expect((await providers.getProvider('p1'))!.enabled).toBe(0);
    expect(await providers.deleteProvider('p1')).toBe(true);
    expect(await providers.listCredentials('p1')).toHaveLength(0);
  });

  it.skipIf(!available)('upserts credential health', async () => {
    const states = new CredentialStateRepository(opened.db);
    const base = {
      disabled_reason: null,
      disabled_at: null,
      cooldown_until: null,
      consecutive_failures: 0,
      total_requests: 1,
      total_failures: 0,
      last_error: null,
      last_error_at: null,
      updated_at: 1,
    };
    await states.upsertMany([{ credential_id: 'x', ...base }]);
    await states.upsertMany([{ credential_id: 'x', ...base, disabled_reason: 'bad key', total_requests: 9 }]);
    const rows = await states.list();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ disabled_reason: 'bad key', total_requests: 9 });
  });

  it.skipIf(!available)('batches usage and summarises it by group', async () => {
    const usage = new UsageRepository(opened.db, opened.dialect, opened.sqlite);
    await usage.insertMany([
      ...Array.from({ length: 600 }, () => usageRecord('a', 200, 1)),
      usageRecord('b', 500, 0),
    ]);
    const summary = await usage.summarize({ groupBy: 'model', since: 0, until: 2_000 });
    expect(summary[0]).toMatchObject({
      group: 'a',
      requests: 600,
      errors: 0,
      input_tokens: 600,
      output_tokens: 1200,
    });
    expect(summary[1]).toMatchObject({ group: 'b', requests: 1, errors: 1 });
    expect(await usage.summarize({ groupBy: 'model', since: 1_001, until: 2_000 })).toEqual([]);
  });
  it.skipIf(!available)('deletes the oldest usage rows before a time, at most a limit at once', async () => {
    const usage = new UsageRepository(opened.db, opened.dialect, opened.sqlite);
    const at = (created_at: number, model: string) => ({ ...usageRecord(model, 200, 1), created_at });
    await usage.insertMany([at(10, 'old'), at(20, 'old'), at(30, 'old'), at(5_000, 'new')]);
    expect(await usage.deleteBefore(100, 2)).toBe(2);
    expect(await usage.deleteBefore(100, 2)).toBe(1);
    expect(await usage.deleteBefore(100, 2)).toBe(0);
    const rows = await usage.summarize({ groupBy: 'model', since: 0, until: 10_000 });
    expect(rows.find((row) => row.group === 'old')).toBeUndefined();
    expect(rows.find((row) => row.group === 'new')).toMatchObject({ requests: 1 });
  });
  it.skipIf(!available)('keeps usage rows written while a rolled-back transaction is open', async () => {
    const usage = new UsageRepository(opened.db, opened.dialect, opened.sqlite);
    let written: Promise<void> | undefined;
    await expect(
      opened.db.transaction().execute(async (transaction) => {
        await transaction.deleteFrom('usage_records').execute();
        written = usage.insertMany([usageRecord('during', 200, 3)]);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    await written;
    const summary = await usage.summarize({ groupBy: 'model', since: 0, until: 2_000 });
    expect(summary.find((row) => row.group === 'during')).toMatchObject({ requests: 1, input_tokens: 3 });
    expect(summary.find((row) => row.group === 'a')).toMatchObject({ requests: 600 });
  });
});
