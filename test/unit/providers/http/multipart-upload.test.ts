import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FormData } from 'undici';
import { startFakeServer, type FakeUpstream } from '../../../fakes/fake-server.js';
import { appendFields, appendFile } from '../../../../src/providers/http/multipart-form.js';
import { createDispatcher } from '../../../../src/providers/http/dispatcher.js';
import { readJson, sendUpstream } from '../../../../src/providers/http/upstream-client.js';
import type { ProviderSettings } from '../../../../src/providers/spec.js';

let fake: FakeUpstream;
let settings: ProviderSettings;

beforeAll(async () => {
  fake = await startFakeServer(
    () => undefined,
    ({ response }) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    },
  );
  settings = {
    id: 'fake',
    baseURL: `${fake.url}/v1`,
    headers: { 'x-tenant': 'studio' },
    timeoutMs: 5000,
    dispatcher: createDispatcher(),
  };
});

afterAll(async () => {
  await settings.dispatcher.close();
  await fake.close();
});

describe('sendUpstream bodies', () => {
  it('sends an undici FormData as multipart with its boundary, files and fields', async () => {
    const form = new FormData();
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]);
    appendFile(form, 'image', { data: bytes, mediaType: 'image/png', filename: 'frame.png' });
    appendFields(form, { type: 'input', seconds: 4, absent: undefined });
    const response = await sendUpstream(settings, {
      method: 'POST',
      path: '/upload',
      headers: { authorization: 'Bearer key' },
      body: form,
      signal: AbortSignal.timeout(5000),
    });
    expect(await readJson(settings.id, response)).toEqual({ ok: true });

    const sent = fake.requests.at(-1)!;
    expect(sent.path).toBe('/v1/upload');
    expect(sent.headers['authorization']).toBe('Bearer key');
    expect(sent.headers['x-tenant']).toBe('studio');
    const contentType = String(sent.headers['content-type']);
    expect(contentType).toMatch(/^multipart\/form-data; boundary=/);
    const raw = String(sent.body);
    expect(raw).toContain('name="image"; filename="frame.png"');
    expect(raw).toContain('Content-Type: image/png');
    expect(raw).toContain('name="type"\r\n\r\ninput\r\n');
    expect(raw).toContain('name="seconds"\r\n\r\n4\r\n');
    expect(raw).not.toContain('absent');
  });

  it('still sends other objects as JSON', async () => {
    await sendUpstream(settings, { path: '/json', body: { a: 1 }, signal: AbortSignal.timeout(5000) });
    const sent = fake.requests.at(-1)!;
    expect(sent.method).toBe('POST');
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.body).toEqual({ a: 1 });
  });
});
