/* eslint-disable @typescript-eslint/no-explicit-any -- health bodies are inspected structurally */
/**
 * Providers and credentials managed through /admin/api/providers, on SQLite and (when reachable)
 * PostgreSQL: created, routed to, edited, disabled and deleted at run time, with secrets sealed at rest.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, isPostgresAvailable, type TestDatabase } from '../../support/databases.js';
import {
  adminKey,
  adminRequest,
  startFakes,
  startHarness,
  type Fakes,
  type Harness,
} from '../../support/gateway-harness.js';

const postgres = await isPostgresAvailable();
let fakes: Fakes;
beforeAll(async () => {
  fakes = await startFakes();
});
afterAll(async () => Promise.all(Object.values(fakes).map((fake) => fake.close())));

describe.each([
  ['sqlite', true],
  ['postgres', postgres],
] as const)('provider administration on %s', (name, available) => {
  let database: TestDatabase;
  let harness: Harness;
  beforeAll(async () => {
    if (!available) return;
    database = await createTestDatabase(name);
    harness = await startHarness({ fakes, databaseUrl: database.url, dataDir: database.dataDir });
  });
  afterAll(async () => {
    if (!available) return;
    await harness.close();
    await database.drop();
  });

  const chat = (model: string) =>
    new OpenAI({ apiKey: adminKey, baseURL: `${harness.url}/v1`, maxRetries: 0 }).chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'managed' }],
    });

  it.skipIf(!available)(
    'creates a provider with a credential, routes to it, and never shows the secret',
    async () => {
      const created = await adminRequest(harness, 'POST', '/admin/api/providers', {
        id: 'managed',
        type: 'anthropic',
        base_url: fakes.anthropic.url,
        models: ['claude-managed'],
        credentials: [{ label: 'main', api_key: 'sk-ant-managed-secret-1', max_concurrency: 2 }],
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ id: 'managed', source: 'database', type: 'anthropic' });
      expect(JSON.stringify(created.body)).not.toContain('sk-ant-managed-secret-1');
      const completion = await chat('claude-managed');
      expect(completion.choices[0]!.message.content).toBe('Echo: managed');
      expect(fakes.anthropic.requests.at(-1)!.headers['x-api-key']).toBe('sk-ant-managed-secret-1');

      const stored = await harness.application.database.db.selectFrom('credentials').selectAll().execute();
      expect(stored).toHaveLength(1);
      expect(stored[0]!.secret).toMatch(/^v1:/);
      expect(stored[0]!.secret).not.toContain('managed-secret');

      const models = await new OpenAI({ apiKey: adminKey, baseURL: `${harness.url}/v1` }).models.list();
      expect(models.data.map((model) => model.id)).toEqual(
        expect.arrayContaining(['claude-managed', 'managed/claude-managed']),
      );
    },
  );

  it.skipIf(!available)('adds, edits, disables and deletes credentials', async () => {
    const added = await adminRequest(harness, 'POST', '/admin/api/providers/managed/credentials', {
      label: 'second',
      api_key: 'sk-ant-second-secret-2',
      priority: 1,
    });
    expect(added.status).toBe(201);
    const credentialId = added.body!.id as string;
    const first = (
      (await adminRequest(harness, 'GET', '/admin/api/providers/managed')).body!.credentials as Array<{
        id: string;
        label: string;
      }>
    ).find((credential) => credential.label === 'main')!;
    const disabled = await adminRequest(
      harness,
      'PATCH',
      `/admin/api/providers/managed/credentials/${first.id}`,
      { enabled: false },
    );
    expect(disabled.body).toMatchObject({ enabled: false, status: 'disabled_by_admin' });
    await chat('claude-managed');
    expect(fakes.anthropic.requests.at(-1)!.headers['x-api-key']).toBe('sk-ant-second-secret-2');

    expect(
      (await adminRequest(harness, 'DELETE', `/admin/api/providers/managed/credentials/${credentialId}`))
        .status,
    ).toBe(200);
    await expect(chat('claude-managed')).rejects.toThrow(/No credential is available/);
  });

  it.skipIf(!available)('refuses to edit providers from the config file, and validates input', async () => {
    const conflict = await adminRequest(harness, 'PATCH', '/admin/api/providers/oai', { enabled: false });
    expect(conflict.status).toBe(409);
    expect((conflict.body!.error as Record<string, string>).message).toMatch(/config file/);
    const invalid = await adminRequest(harness, 'POST', '/admin/api/providers', {
      id: 'bad id!',
      type: 'openai',
    });
    expect(invalid.status).toBe(400);
    expect((invalid.body!.error as Record<string, string>).message).toMatch(/^id:/);
    const duplicate = await adminRequest(harness, 'POST', '/admin/api/providers', {
      id: 'oai',
      type: 'openai',
    });
    expect(duplicate.status).toBe(409);
    const missing = await adminRequest(harness, 'GET', '/admin/api/providers/nope');
    expect(missing.status).toBe(404);
  });

  it.skipIf(!available)('deletes a provider and stops routing to it', async () => {
    expect((await adminRequest(harness, 'DELETE', '/admin/api/providers/managed')).status).toBe(200);
    await expect(chat('claude-managed')).rejects.toThrow(/does not exist/);
  });

  it.skipIf(!available)('keeps usage per request and exposes health and metrics', async () => {
    const usage = await adminRequest(harness, 'GET', '/admin/api/usage?group_by=model');
    const rows = usage.body!.data as Array<{ group: string; requests: number; errors: number }>;
    expect(rows.find((row) => row.group === 'claude-managed')).toMatchObject({ requests: 4, errors: 2 });
    const ready = await fetch(`${harness.url}/health/ready`);
    expect(ready.status).toBe(200);
    const detailed = (await (await fetch(`${harness.url}/health/detailed`)).json()) as Record<string, any>;
    expect(detailed.database).toEqual({ dialect: name, reachable: true });
    expect(detailed.providers.map((provider: { id: string }) => provider.id)).toContain('oai');
    const metrics = await (await fetch(`${harness.url}/metrics`)).text();
    expect(metrics).toMatch(
      /atelier_gateway_requests_total\{protocol="openai",model="claude-managed",status="200"\} 2/,
    );
  });
});

describe('model discovery', () => {
  it('asks providers without a models list what they serve', async () => {
    const harness = await startHarness({
      fakes,
      providers: [
        { id: 'local', type: 'ollama', base_url: fakes.ollama.url },
        {
          id: 'unreachable',
          type: 'openai',
          base_url: 'http://127.0.0.1:9/v1',
          credentials: [{ api_key: 'x' }],
        },
      ],
    });
    try {
      const models = await new OpenAI({ apiKey: adminKey, baseURL: `${harness.url}/v1` }).models.list();
      expect(models.data.map((model) => model.id)).toEqual(['llama-test:latest', 'local/llama-test:latest']);
      const completion = await new OpenAI({
        apiKey: adminKey,
        baseURL: `${harness.url}/v1`,
        maxRetries: 0,
      }).chat.completions.create({
        model: 'llama-test:latest',
        messages: [{ role: 'user', content: 'found' }],
      });
      expect(completion.choices[0]!.message.content).toBe('Echo: found');
    } finally {
      await harness.close();
    }
  });
});
