/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are inspected structurally */
/**
 * What `npm start` runs is the esbuild bundle (scripts/build.mjs), not src/. This builds it, starts it with
 * the start script's own Node flags, and drives the paths that load code on first use — a relayed and a
 * translated chat (provider adapter chunks), a streamed answer, an upload (file-type) and a media job
 * (media core, FFmpeg) — so a bundling mistake fails here rather than in production.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeAnthropic } from '../../fakes/anthropic-upstream.js';
import type { FakeUpstream } from '../../fakes/fake-server.js';
import { fakeMp4 } from '../../fakes/fake-media-bytes.js';
import { startFakeOpenAI } from '../../fakes/openai-upstream.js';
import { fakeProvidersToml, startBundledServer, type BundledServer } from '../../support/bundled-server.js';

const key = 'atl_bundle_test_key_0123456789';
let openai: FakeUpstream;
let anthropic: FakeUpstream;
let server: BundledServer;
let url: string;

beforeAll(async () => {
  [openai, anthropic] = await Promise.all([startFakeOpenAI(), startFakeAnthropic()]);
  server = await startBundledServer({
    name: 'atelier-bundle-test',
    apiKey: key,
    config: fakeProvidersToml({ openai, anthropic }),
  });
  url = server.url;
}, 60_000);

afterAll(async () => {
  server?.close();
  await Promise.all([openai?.close(), anthropic?.close()]);
});

async function call(path: string, init: { body?: unknown; form?: FormData } = {}) {
  const response = await fetch(`${url}${path}`, {
    method: init.body === undefined && init.form === undefined ? 'GET' : 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: init.form ?? (init.body === undefined ? undefined : JSON.stringify(init.body)),
  });
  return { status: response.status, text: await response.text() };
}

describe('the bundled build', () => {
  it('answers liveness and lists the configured models', async () => {
    expect((await fetch(`${url}/health/live`)).status).toBe(200);
    const models = JSON.parse((await call('/v1/models')).text) as { data: { id: string }[] };
    expect(models.data.map((model) => model.id)).toEqual(
      expect.arrayContaining(['gpt-4o-mini', 'claude-haiku-4-5']),
    );
  });

  it('relays an OpenAI chat, JSON and streamed', async () => {
    const messages = [{ role: 'user', content: 'Say hello' }];
    const json = await call('/v1/chat/completions', { body: { model: 'gpt-4o-mini', messages } });
    expect(json.status).toBe(200);
    expect(JSON.parse(json.text)).toMatchObject({ object: 'chat.completion', model: 'gpt-4o-mini' });
    const stream = await call('/v1/chat/completions', {
      body: { model: 'gpt-4o-mini', messages, stream: true },
    });
    expect(stream.status).toBe(200);
    expect(stream.text).toContain('"object":"chat.completion.chunk"');
    expect(stream.text.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('translates an OpenAI chat to the Anthropic adapter', async () => {
    const answer = await call('/v1/chat/completions', {
      body: { model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'Say hello' }] },
    });
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.text) as any;
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0].message.content.length).toBeGreaterThan(0);
    expect(anthropic.requests.some((request) => request.path === '/v1/messages')).toBe(true);
  });

  it('stores an upload and runs a media job on it', async () => {
    const form = new FormData();
    form.append('purpose', 'user_data');
    form.append('file', new Blob([await fakeMp4()], { type: 'video/mp4' }), 'clip.mp4');
    const uploaded = await call('/v1/files', { form });
    expect(uploaded.status).toBe(200);
    const file = JSON.parse(uploaded.text) as { id: string };
    const created = await call('/v1/media/probe', { body: { input: { file_id: file.id } } });
    expect(created.status).toBe(202);
    const job = JSON.parse(created.text) as { id: string };
    let status = 'queued';
    let last: any;
    for (let attempt = 0; attempt < 200 && !['succeeded', 'failed'].includes(status); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      last = JSON.parse((await call(`/v1/jobs/${job.id}`)).text);
      status = last.status;
    }
    expect(status).toBe('succeeded');
    expect(JSON.stringify(last.output)).toContain('h264');
  }, 30_000);
});
