/**
 * `:streamGenerateContent` without `alt=sse` answers as Gemini does: one JSON array, streamed. The elements are
 * what the SSE form carries, for a relayed Gemini upstream and for a translated one; a stream cut upstream
 * still ends as a well-formed array, with the error as its last element; a client that leaves midway stops
 * the upstream.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminKey,
  defaultProviders,
  startFakes,
  startHarness,
  type Fakes,
  type Harness,
} from '../../support/gateway-harness.js';

let fakes: Fakes;
let harness: Harness;
let cutHarness: Harness;
beforeAll(async () => {
  fakes = await startFakes();
  harness = await startHarness({ fakes });
  cutHarness = await startHarness({ fakes, providers: defaultProviders(fakes, { gem: ['fault-cut'] }) });
});
afterAll(async () => {
  await harness?.close();
  await cutHarness?.close();
  await Promise.all(Object.values(fakes ?? {}).map((fake) => fake.close()));
});

const body = { contents: [{ role: 'user', parts: [{ text: 'stream me as an array' }] }] };

async function call(base: string, model: string, query: string) {
  const response = await fetch(`${base}/v1beta/models/${model}:streamGenerateContent${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': adminKey },
    body: JSON.stringify(body),
  });
  return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
}

/** The payloads of an SSE answer's data lines. */
const ssePayloads = (text: string) =>
  text
    .split(/\r?\n/)
    .filter((line) => line.startsWith('data:'))
    .map((line) => JSON.parse(line.slice(5)) as unknown);

/** Response ids differ from call to call. */
const withoutIds = (value: unknown) =>
  JSON.parse(JSON.stringify(value).replace(/"responseId":"[^"]*"/g, '"responseId":"*"'));

describe.each([
  ['relayed to Gemini', 'gemini-test'],
  ['translated to OpenAI', 'gpt-test'],
])('streamGenerateContent without alt=sse, %s', (_name, model) => {
  it.each(['', '?alt=json'])('answers one JSON array with the SSE events as elements (%s)', async (query) => {
    const array = await call(harness.url, model, query);
    const sse = await call(harness.url, model, '?alt=sse');
    expect(array.status).toBe(200);
    expect(array.type).toMatch(/^application\/json/);
    const elements = JSON.parse(array.text) as unknown[];
    expect(elements.length).toBeGreaterThan(1);
    expect(withoutIds(elements)).toEqual(withoutIds(ssePayloads(sse.text)));
    const text = elements
      .map(
        (element) =>
          (
            element as { candidates?: Array<{ content?: { parts?: Array<{ text?: string }> } }> }
          ).candidates?.[0]?.content?.parts
            ?.map((part) => part.text ?? '')
            .join('') ?? '',
      )
      .join('');
    expect(text.length).toBeGreaterThan(0);
  });
});

it('ends a stream cut upstream as a well-formed array whose last element is the error', async () => {
  const cut = await call(cutHarness.url, 'gemini-test', '');
  expect(cut.status).toBe(200);
  const elements = JSON.parse(cut.text) as Array<Record<string, unknown>>;
  expect(elements.length).toBeGreaterThan(1);
  expect(elements.at(-1)).toMatchObject({ error: { status: expect.any(String) } });
});

it('refuses another alt in the Gemini error envelope', async () => {
  const refused = await call(harness.url, 'gemini-test', '?alt=proto');
  expect(refused.status).toBe(400);
  expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
});

it('stops the upstream when the client leaves an array stream midway', async () => {
  // A Gemini upstream that sends an event every 20 ms until its client goes away.
  let upstreamClosed = false;
  const endless = http.createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const event = { candidates: [{ content: { role: 'model', parts: [{ text: 'more ' }] } }] };
    const timer = setInterval(() => response.write(`data: ${JSON.stringify(event)}\r\n\r\n`), 20);
    response.on('close', () => {
      clearInterval(timer);
      upstreamClosed = true;
    });
  });
  await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
  const slow = await startHarness({
    fakes,
    providers: [
      {
        id: 'gem',
        type: 'gemini',
        base_url: `http://127.0.0.1:${(endless.address() as AddressInfo).port}`,
        models: ['gemini-test'],
        credentials: [{ api_key: 'gem-good' }],
      },
    ],
  });
  try {
    const client = new AbortController();
    const response = await fetch(`${slow.url}/v1beta/models/gemini-test:streamGenerateContent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-goog-api-key': adminKey },
      body: JSON.stringify(body),
      signal: client.signal,
    });
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first.startsWith('[{')).toBe(true);
    client.abort();
    const deadline = Date.now() + 3_000;
    while (!upstreamClosed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(upstreamClosed).toBe(true);
  } finally {
    await slow.close();
    endless.closeAllConnections();
    await new Promise((resolve) => endless.close(resolve));
  }
});
