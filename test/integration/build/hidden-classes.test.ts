/**
 * Once warm, serving a chat request must not make V8 build new hidden classes (maps). In Node 20 an object
 * spread followed by more keys, or an AbortSignal, makes new ones on every call; each costs CPU, sends the
 * property accesses that meet it down V8's slow path, and leaves old-generation garbage
 * (docs/decisions/0005-hidden-classes-on-the-request-path.md). This runs the bundle as `npm start` does, with
 * V8's map log on, and counts the map events a batch of warm requests causes, per path through the gateway.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic } from '../../fakes/anthropic-upstream.js';
import type { FakeUpstream } from '../../fakes/fake-server.js';
import { startFakeGemini } from '../../fakes/gemini-upstream.js';
import { startFakeOllama } from '../../fakes/ollama-upstream.js';
import { startFakeOpenAI } from '../../fakes/openai-upstream.js';
import { fakeProvidersToml, startBundledServer, type BundledServer } from '../../support/bundled-server.js';

const key = 'atl_hidden_class_test_key_0123456789';
const warmRequests = 300;
const measuredRequests = 100;
let fakes: FakeUpstream[] = [];
let server: BundledServer;
let url: string;
let mapLog: string;

beforeAll(async () => {
  fakes = await Promise.all([startFakeOpenAI(), startFakeAnthropic(), startFakeGemini(), startFakeOllama()]);
  const [openai, anthropic, gemini, ollama] = fakes as [
    FakeUpstream,
    FakeUpstream,
    FakeUpstream,
    FakeUpstream,
  ];
  server = await startBundledServer({
    name: 'atelier-hidden-classes',
    apiKey: key,
    config: fakeProvidersToml({ openai, anthropic, gemini, ollama }),
    nodeFlags: (directory) => {
      mapLog = join(directory, 'v8-maps.log');
      return ['--log-maps', '--no-log-maps-details', `--logfile=${mapLog}`, '--no-logfile-per-isolate'];
    },
  });
  url = server.url;
}, 60_000);

afterAll(async () => {
  server?.close();
  await Promise.all(fakes.map((fake) => fake.close()));
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
      // Two windows, and the quieter one counts: a timer or a first-time query in the background can land in
      // one of them; maps made per request show in both.
      const windows = [];
      for (let window = 0; window < 2; window += 1) {
        const offset = statSync(mapLog).size;
        await send(path, measuredRequests);
        windows.push(mapEventsSince(offset));
      }
      const { total, top } = windows[0]!.total <= windows[1]!.total ? windows[0]! : windows[1]!;
      // A defect makes maps on every request (2 to 10 each, before decision 0005). On a machine loaded by the
      // rest of `npm test`, prototype set-ups now and then gave up to 0.4 per request in the quieter window.
      expect(total / measuredRequests, `map events per request; most common: ${top.join('; ')}`).toBeLessThan(
        0.5,
      );
    },
    60_000,
  );
});
