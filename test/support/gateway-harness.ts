/**
 * A real Atelier (HTTP server on a loopback port) in front of one fake upstream per vendor:
 *   oai    (openai)    serves gpt-test
 *   claude (anthropic) serves claude-test
 *   gem    (gemini)    serves gemini-test
 *   llama  (ollama)    serves llama-test
 * Tests may replace the providers and aliases to build pools with faulty credentials.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createApplication, type Application } from '../../src/application.js';
import { parseConfiguration } from '../../src/config/index.js';
import { startFakeAnthropic } from '../fakes/anthropic-upstream.js';
import type { FakeUpstream } from '../fakes/fake-server.js';
import { startFakeGemini } from '../fakes/gemini-upstream.js';
import { startFakeOllama } from '../fakes/ollama-upstream.js';
import { startFakeOpenAI } from '../fakes/openai-upstream.js';

export const adminKey = 'atl_test_admin_key_0123456789';

export interface Fakes {
  openai: FakeUpstream;
  anthropic: FakeUpstream;
  gemini: FakeUpstream;
  ollama: FakeUpstream;
}

export interface Harness {
  url: string;
  application: Application;
  fakes: Fakes;
  close(): Promise<void>;
}

/** The model each provider id serves, by provider id. */
export const providerModels = {
  oai: 'gpt-test',
  claude: 'claude-test',
  gem: 'gemini-test',
  llama: 'llama-test',
} as const;

export async function startFakes(): Promise<Fakes> {
  const [openai, anthropic, gemini, ollama] = await Promise.all([
    startFakeOpenAI(),
    startFakeAnthropic(),
    startFakeGemini(),
    startFakeOllama({ models: [`${providerModels.llama}:latest`] }),
  ]);
  return { openai, anthropic, gemini, ollama };
}

export function defaultProviders(
  fakes: Fakes,
  keys: Partial<Record<keyof typeof providerModels, string[]>> = {},
) {
  const credentials = (id: keyof typeof providerModels, fallback: string) =>
    (keys[id] ?? [fallback]).map((api_key) => ({ api_key }));
  return [
    {
      id: 'oai',
      type: 'openai',
      base_url: `${fakes.openai.url}/v1`,
      models: [providerModels.oai],
      credentials: credentials('oai', 'sk-good'),
    },
    {
      id: 'claude',
      type: 'anthropic',
      base_url: fakes.anthropic.url,
      models: [providerModels.claude],
      credentials: credentials('claude', 'sk-ant-good'),
    },
    {
      id: 'gem',
      type: 'gemini',
      base_url: fakes.gemini.url,
      models: [providerModels.gem],
      credentials: credentials('gem', 'gem-good'),
    },
    {
      id: 'llama',
      type: 'ollama',
      base_url: fakes.ollama.url,
      models: [providerModels.llama],
      credentials: credentials('llama', 'ollama-good'),
    },
  ];
}

export async function startHarness(
  options: {
    fakes?: Fakes;
    providers?: unknown[];
    models?: unknown[];
    gateway?: Record<string, unknown>;
    databaseUrl?: string;
    dataDir?: string;
    redisUrl?: string;
    jobs?: Record<string, unknown>;
    /** Runs before the job workers start (e.g. to register a test job type). */
    setup?: (application: Application) => void;
  } = {},
): Promise<Harness> {
  const ownFakes = !options.fakes;
  const fakes = options.fakes ?? (await startFakes());
  const configuration = parseConfiguration(
    {
      server: { host: '127.0.0.1', port: 0 },
      data_dir: options.dataDir ?? mkdtempSync(join(tmpdir(), 'atelier-it-')),
      database_url: options.databaseUrl,
      redis_url: options.redisUrl,
      jobs: { lease_ms: 2_000, poll_interval_ms: 100, ...options.jobs },
      bootstrap_api_key: adminKey,
      master_key: 'test-master-key-0123456789',
      log_level: 'silent',
      gateway: { upstream_timeout_ms: 2_000, queue_timeout_ms: 200, ...options.gateway },
      providers: options.providers ?? defaultProviders(fakes),
      models: options.models ?? [],
    },
    'test',
  );
  const application = await createApplication(configuration, { logger: pino({ level: 'silent' }) });
  options.setup?.(application);
  await application.startWorkers();
  await application.discovery;
  const address = await application.server.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: address,
    application,
    fakes,
    async close() {
      await application.close();
      if (ownFakes) await Promise.all(Object.values(fakes).map((fake) => fake.close()));
    },
  };
}

export async function adminRequest(harness: Harness, method: string, path: string, body?: unknown) {
  const response = await fetch(`${harness.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${adminKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}
