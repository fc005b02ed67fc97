/* eslint-disable @typescript-eslint/no-explicit-any -- error bodies are inspected structurally */
/** Bad input gets a precise 4xx in the protocol's own envelope — never a 500. */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminKey,
  adminRequest,
  startFakes,
  startHarness,
  type Harness,
} from '../../support/gateway-harness.js';

let harness: Harness;
beforeAll(async () => {
  const fakes = await startFakes();
  harness = await startHarness({
    fakes,
    providers: [
      {
        id: 'oai',
        type: 'openai',
        base_url: `${fakes.openai.url}/v1`,
        models: ['gpt-test'],
        credentials: [{ api_key: 'sk-good' }],
      },
      {
        id: 'claude',
        type: 'anthropic',
        base_url: fakes.anthropic.url,
        models: ['claude-test'],
        credentials: [{ api_key: 'sk-ant-good' }],
      },
      {
        id: 'gem',
        type: 'gemini',
        base_url: fakes.gemini.url,
        models: ['gemini-test'],
        credentials: [{ api_key: 'gem-good' }],
      },
      {
        id: 'picky',
        type: 'openai',
        base_url: `${fakes.openai.url}/v1`,
        models: ['gpt-picky'],
        credentials: [{ api_key: 'fault-400-p' }],
      },
    ],
  });
});
afterAll(async () => {
  await harness?.close();
  await Promise.all(Object.values(harness.fakes).map((fake) => fake.close()));
});

type Shape = 'openai' | 'anthropic' | 'gemini';
const endpoints: Array<{ shape: Shape; url: string; valid: Record<string, unknown> }> = [
  {
    shape: 'openai',
    url: '/v1/chat/completions',
    valid: { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] },
  },
  {
    shape: 'anthropic',
    url: '/v1/messages',
    valid: { model: 'claude-test', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
  },
  {
    shape: 'gemini',
    url: '/v1beta/models/gemini-test:generateContent',
    valid: { contents: [{ role: 'user', parts: [{ text: 'hi' }] }] },
  },
];

async function post(url: string, body: string | undefined, headers: Record<string, string> = {}) {
  const response = await harness.application.server.inject({
    method: 'POST',
    url,
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json', ...headers },
    payload: body,
  });
  return { status: response.statusCode, body: response.json() as Record<string, any> };
}

function expectEnvelope(shape: Shape, body: Record<string, any>, status: number) {
  if (shape === 'openai') {
    expect(body.error).toEqual(
      expect.objectContaining({ message: expect.any(String), type: expect.any(String) }),
    );
    expect(body.error).toHaveProperty('code');
    expect(body.error).toHaveProperty('param');
  } else if (shape === 'anthropic') {
    expect(body.type).toBe('error');
    expect(body.error).toEqual(
      expect.objectContaining({ type: expect.any(String), message: expect.any(String) }),
    );
  } else {
    expect(body.error).toEqual(
      expect.objectContaining({ code: status, message: expect.any(String), status: expect.any(String) }),
    );
  }
}

describe.each(endpoints)('$shape envelope at $url', ({ shape, url, valid }) => {
  it('accepts the valid body', async () => {
    expect((await post(url, JSON.stringify(valid))).status).toBe(200);
  });

  it('401 for a wrong key and for no key', async () => {
    const wrong = await post(url, JSON.stringify(valid), { authorization: 'Bearer atl_nope' });
    expect(wrong.status).toBe(401);
    expectEnvelope(shape, wrong.body, 401);
    const response = await harness.application.server.inject({ method: 'POST', url, payload: valid });
    expect(response.statusCode).toBe(401);
    expectEnvelope(shape, response.json(), 401);
  });

  it('400 for malformed JSON', async () => {
    const result = await post(url, '{"model": "x", ');
    expect(result.status).toBe(400);
    expectEnvelope(shape, result.body, 400);
    expect(JSON.stringify(result.body)).toMatch(/JSON/);
  });

  it('400 for an empty body', async () => {
    const result = await post(url, undefined);
    expect(result.status).toBe(400);
    expectEnvelope(shape, result.body, 400);
  });

  it('400 naming the field when messages are the wrong type', async () => {
    const broken =
      shape === 'gemini'
        ? { contents: 'nope-not-an-array'.split('x')[0]!.length }
        : { ...valid, messages: 42 };
    const result = await post(url, JSON.stringify(broken));
    expect(result.status).toBe(400);
    expectEnvelope(shape, result.body, 400);
    expect(JSON.stringify(result.body)).toMatch(shape === 'gemini' ? /contents/ : /messages/);
  });

  it('404 for an unknown model', async () => {
    const unknownUrl = shape === 'gemini' ? '/v1beta/models/no-such-model:generateContent' : url;
    const result = await post(
      unknownUrl,
      JSON.stringify(shape === 'gemini' ? valid : { ...valid, model: 'no-such-model' }),
    );
    expect(result.status).toBe(404);
    expectEnvelope(shape, result.body, 404);
    expect(JSON.stringify(result.body)).toContain('no-such-model');
  });

  it('413 for a body over the limit', async () => {
    const huge = JSON.stringify({ ...valid, padding: 'x'.repeat(51 * 1024 * 1024) });
    const result = await post(url, huge);
    expect(result.status).toBe(413);
    expectEnvelope(shape, result.body, 413);
  });

  it('never answers 5xx to fuzzed bodies', async () => {
    const mutated = fc.record(
      Object.fromEntries(
        Object.keys(valid).map((key) => [key, fc.oneof(fc.constant(valid[key]), fc.jsonValue())]),
      ),
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), mutated, fc.string()), async (body) => {
        const result = await post(url, typeof body === 'string' ? body : JSON.stringify(body));
        expect(result.status).toBeLessThan(500);
        if (result.status !== 200) expectEnvelope(shape, result.body, result.status);
      }),
      { numRuns: 250 },
    );
  });
});

describe('other errors', () => {
  it('passes an upstream 400 through without counting it against the credential', async () => {
    const result = await post(
      '/v1/chat/completions',
      JSON.stringify({ model: 'gpt-picky', messages: [{ role: 'user', content: 'hi' }] }),
    );
    expect(result.status).toBe(400);
    expect(result.body.error.type).toBe('invalid_request_error');
    const { body } = await adminRequest(harness, 'GET', '/admin/api/providers/picky');
    const credential = (body!.credentials as Array<Record<string, unknown>>)[0]!;
    expect(credential).toMatchObject({ status: 'active', consecutive_failures: 0, total_failures: 0 });
  });

  it('404 in the OpenAI envelope for unknown routes', async () => {
    const response = await harness.application.server.inject({
      method: 'GET',
      url: '/v1/nothing-here',
      headers: { authorization: `Bearer ${adminKey}` },
    });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.message).toMatch(/No route/);
  });

  it('403 on admin routes for a user key, 201 and a once-shown key for an admin', async () => {
    const created = await adminRequest(harness, 'POST', '/admin/api/keys', { name: 'ci user', role: 'user' });
    expect(created.status).toBe(201);
    const userKey = created.body!.key as string;
    const listed = await adminRequest(harness, 'GET', '/admin/api/keys');
    expect(JSON.stringify(listed.body)).not.toContain(userKey);
    const forbidden = await harness.application.server.inject({
      method: 'GET',
      url: '/admin/api/keys',
      headers: { authorization: `Bearer ${userKey}` },
    });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().error.type).toBe('permission_error');
    const revoked = await adminRequest(harness, 'DELETE', `/admin/api/keys/${created.body!.id as string}`);
    expect(revoked.status).toBe(200);
    const after = await post('/v1/chat/completions', JSON.stringify(endpoints[0]!.valid), {
      authorization: `Bearer ${userKey}`,
    });
    expect(after.status).toBe(401);
  });

  it('400 naming the key for bad admin input', async () => {
    const result = await adminRequest(harness, 'POST', '/admin/api/keys', { name: 'x', role: 'root' });
    expect(result.status).toBe(400);
    expect((result.body!.error as Record<string, unknown>).message).toMatch(/role/);
  });
});
