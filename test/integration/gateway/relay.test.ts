/**
 * Same-protocol calls are relayed byte for byte: what the client reads through Atelier is what the
 * upstream wrote (apart from per-response ids and timestamps), streams included, with one ending only.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, startHarness, type Harness } from '../../support/gateway-harness.js';

let harness: Harness;
beforeAll(async () => {
  harness = await startHarness();
});
afterAll(async () => harness?.close());

/** Remove what legitimately differs between two calls: ids and timestamps. */
function normalize(text: string): string {
  return text
    .replace(/"(id|responseId)":\s*"[^"]*"/g, '"$1":"*"')
    .replace(/"created(_at)?":\s*\d+/g, '"created":0');
}

const cases = [
  {
    name: 'OpenAI',
    atelier: () => `${harness.url}/v1/chat/completions`,
    upstream: () => `${harness.fakes.openai.url}/v1/chat/completions`,
    headers: (key: string) => ({ authorization: `Bearer ${key}` }),
    upstreamKey: 'sk-good',
    body: (stream: boolean) => ({
      model: 'gpt-test',
      stream,
      messages: [{ role: 'user', content: 'relay me please' }],
    }),
    ending: /data: \[DONE\]/g,
  },
  {
    name: 'Anthropic',
    atelier: () => `${harness.url}/v1/messages`,
    upstream: () => `${harness.fakes.anthropic.url}/v1/messages`,
    headers: (key: string) => ({ 'x-api-key': key, 'anthropic-version': '2023-06-01' }),
    upstreamKey: 'sk-ant-good',
    body: (stream: boolean) => ({
      model: 'claude-test',
      max_tokens: 50,
      stream,
      messages: [{ role: 'user', content: 'relay me please' }],
    }),
    ending: /event: message_stop/g,
  },
  {
    name: 'Gemini',
    atelier: (stream: boolean) =>
      `${harness.url}/v1beta/models/gemini-test:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
    upstream: (stream: boolean) =>
      `${harness.fakes.gemini.url}/v1beta/models/gemini-test:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
    headers: (key: string) => ({ 'x-goog-api-key': key }),
    upstreamKey: 'gem-good',
    body: () => ({ contents: [{ role: 'user', parts: [{ text: 'relay me please' }] }] }),
    ending: /"finishReason"/g,
  },
];

describe.each(cases)('$name relay', (relay) => {
  it.each([false, true])('returns the upstream bytes unchanged (stream: %s)', async (stream) => {
    const call = async (url: string, key: string) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...relay.headers(key) },
        body: JSON.stringify(relay.body(stream)),
      });
      expect(response.status).toBe(200);
      return { text: await response.text(), type: response.headers.get('content-type') };
    };
    const through = await call(relay.atelier(stream), adminKey);
    const direct = await call(relay.upstream(stream), relay.upstreamKey);
    expect(normalize(through.text)).toBe(normalize(direct.text));
    expect(through.type?.split(';')[0]).toBe(direct.type?.split(';')[0]);
    if (stream) expect(through.text.match(relay.ending)).toHaveLength(1);
  });
});
