/**
 * Once warm, serving a chat request must not make V8 build new hidden classes (maps). In Node 20 an object
 * spread followed by more keys, or an AbortSignal, makes new ones on every call; each costs CPU, sends the
 * property accesses that meet it down V8's slow path, and leaves old-generation garbage
 * (docs/decisions/0005-hidden-classes-on-the-request-path.md). This runs the bundle as `npm start` does, with
 * V8's map log on, and counts the map events a batch of warm requests causes, per path through the gateway.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain ES module script without type declarations
import { buildAtelier } from '../../../scripts/build.mjs';
// @ts-expect-error -- a plain ES module script without type declarations
import { startScriptNodeFlags } from '../../../scripts/start-flags.mjs';
import { startFakeAnthropic } from '../../fakes/anthropic-upstream.js';
import type { FakeUpstream } from '../../fakes/fake-server.js';
import { startFakeGemini } from '../../fakes/gemini-upstream.js';
import { startFakeOllama } from '../../fakes/ollama-upstream.js';
import { startFakeOpenAI } from '../../fakes/openai-upstream.js';
import { startServerProcess } from '../../support/server-process.js';

const key = 'atl_hidden_class_test_key_0123456789';
const outdir = join(process.cwd(), 'node_modules', '.cache', `atelier-hidden-classes-${process.pid}`);
const warmRequests = 300;
const measuredRequests = 100;
let fakes: FakeUpstream[] = [];
let child: ChildProcess;
let url: string;
let dataDir: string;
let mapLog: string;

beforeAll(async () => {
  await buildAtelier(outdir);
  fakes = await Promise.all([startFakeOpenAI(), startFakeAnthropic(), startFakeGemini(), startFakeOllama()]);
  const [openai, anthropic, gemini, ollama] = fakes as [
    FakeUpstream,
    FakeUpstream,
    FakeUpstream,
    FakeUpstream,
  ];
  dataDir = mkdtempSync(join(tmpdir(), 'atelier-maps-'));
  mapLog = join(dataDir, 'v8-maps.log');
  const configPath = join(dataDir, 'atelier.toml');
  writeFileSync(
    configPath,
    [
      'log_level = "info"',
      '[[providers]]',
      'id = "oai"',
      'type = "openai"',
      `base_url = "${openai.url}/v1"`,
      'models = ["gpt-4o-mini"]',
      '  [[providers.credentials]]',
      '  api_key = "sk-good"',
      '[[providers]]',
      'id = "claude"',
      'type = "anthropic"',
      `base_url = "${anthropic.url}"`,
      'models = ["claude-haiku-4-5"]',
      '  [[providers.credentials]]',
      '  api_key = "sk-ant-good"',
      '[[providers]]',
      'id = "google"',
      'type = "gemini"',
      `base_url = "${gemini.url}"`,
      'models = ["gemini-2.5-flash"]',
      '  [[providers.credentials]]',
      '  api_key = "AIza-good"',
      '[[providers]]',
      'id = "local"',
      'type = "ollama"',
      `base_url = "${ollama.url}"`,
      'models = ["llama3.2:latest"]',
      '',
    ].join('\n'),
  );
  ({ url, child } = await startServerProcess(
    [
      ...startScriptNodeFlags(process.cwd()),
      '--log-maps',
      '--no-log-maps-details',
      `--logfile=${mapLog}`,
      '--no-logfile-per-isolate',
      join(outdir, 'main.js'),
      'serve',
      '--config',
      configPath,
    ],
    {
      ATELIER_HOST: '127.0.0.1',
      ATELIER_PORT: '0',
      ATELIER_DATA_DIR: join(dataDir, 'data'),
      ATELIER_BOOTSTRAP_API_KEY: key,
    },
  ));
}, 60_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  await Promise.all(fakes.map((fake) => fake.close()));
  rmSync(outdir, { recursive: true, force: true });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

interface Path {
  name: string;
  endpoint: string;
  headers: Record<string, string>;
  body: unknown;
}

const messages = [{ role: 'user', content: 'Say hello' }];
const openaiClient = { authorization: `Bearer ${key}` };
const anthropicClient = { 'x-api-key': key, 'anthropic-version': '2023-06-01' };
const geminiClient = { 'x-goog-api-key': key };
const contents = [{ role: 'user', parts: [{ text: 'Say hello' }] }];
const paths: Path[] = [
  {
    name: 'OpenAI → OpenAI, JSON (relayed)',
    endpoint: '/v1/chat/completions',
    headers: openaiClient,
    body: { model: 'gpt-4o-mini', messages },
  },
  {
    name: 'OpenAI → OpenAI, stream (relayed)',
    endpoint: '/v1/chat/completions',
    headers: openaiClient,
    body: { model: 'gpt-4o-mini', messages, stream: true },
  },
  {
    name: 'Anthropic → Anthropic, stream (relayed)',
    endpoint: '/v1/messages',
    headers: anthropicClient,
    body: { model: 'claude-haiku-4-5', max_tokens: 64, messages, stream: true },
  },
  {
    name: 'OpenAI → Anthropic, stream (translated)',
    endpoint: '/v1/chat/completions',
    headers: openaiClient,
    body: { model: 'claude-haiku-4-5', messages, stream: true },
  },
  {
    name: 'Anthropic → OpenAI, JSON (translated)',
    endpoint: '/v1/messages',
    headers: anthropicClient,
    body: { model: 'gpt-4o-mini', max_tokens: 64, messages },
  },
  {
    name: 'Gemini → Gemini, stream (relayed)',
    endpoint: '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    headers: geminiClient,
    body: { contents },
  },
  {
    name: 'OpenAI → Gemini, stream (translated)',
    endpoint: '/v1/chat/completions',
    headers: openaiClient,
    body: { model: 'gemini-2.5-flash', messages, stream: true },
  },
  {
    name: 'Gemini → OpenAI, stream (translated)',
    endpoint: '/v1beta/models/gpt-4o-mini:streamGenerateContent?alt=sse',
    headers: geminiClient,
    body: { contents },
  },
  {
    name: 'OpenAI → Ollama, stream (translated)',
    endpoint: '/v1/chat/completions',
    headers: openaiClient,
    body: { model: 'llama3.2:latest', messages, stream: true },
  },
];

async function send(path: Path, count: number): Promise<void> {
  const one = async () => {
    const response = await fetch(`${url}${path.endpoint}`, {
      method: 'POST',
      headers: { ...path.headers, 'content-type': 'application/json' },
      body: JSON.stringify(path.body),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${path.name}: ${response.status} ${text}`);
  };
  // Eight at a time, like a few clients at once.
  for (let sent = 0; sent < count; sent += 8) {
    await Promise.all(Array.from({ length: Math.min(8, count - sent) }, one));
  }
}

/** Map events logged since `offset`, counted by kind and property name (the name says where they come from). */
function mapEventsSince(offset: number): { total: number; top: string[] } {
  const text = readFileSync(mapLog, 'utf8').slice(offset);
  const counts = new Map<string, number>();
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('map,')) continue;
    total += 1;
    const fields = line.split(',');
    const label = `${fields[1]} ${fields[9] ?? ''}`;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const top = [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([label, count]) => `${count}× ${label}`);
  return { total, top };
}

describe('hidden classes on the request path', () => {
  it.each(paths)(
    '$name: no new maps per warm request',
    async (path) => {
      await send(path, warmRequests);
      const offset = statSync(mapLog).size;
      await send(path, measuredRequests);
      const { total, top } = mapEventsSince(offset);
      // A few come from timers and caches that run now and then; one or more per request is the defect.
      expect(total / measuredRequests, `map events per request; most common: ${top.join('; ')}`).toBeLessThan(
        0.2,
      );
    },
    60_000,
  );
});
