/**
 * Credential pools under faults, through the real HTTP server: bad credentials are cooled down or disabled
 * rather than hammered, and every client request still succeeds while a good credential remains.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminKey,
  adminRequest,
  startFakes,
  startHarness,
  type Fakes,
  type Harness,
} from '../../support/gateway-harness.js';

let fakes: Fakes;
beforeAll(async () => {
  fakes = await startFakes();
});
afterAll(async () => Promise.all(Object.values(fakes).map((fake) => fake.close())));

const vendors = [
  { type: 'openai', model: 'gpt-test', fake: () => fakes.openai, base: () => `${fakes.openai.url}/v1` },
  { type: 'anthropic', model: 'claude-test', fake: () => fakes.anthropic, base: () => fakes.anthropic.url },
  { type: 'gemini', model: 'gemini-test', fake: () => fakes.gemini, base: () => fakes.gemini.url },
  { type: 'ollama', model: 'llama-test', fake: () => fakes.ollama, base: () => fakes.ollama.url },
] as const;

function keyOf(headers: Record<string, string | string[] | undefined>): string | undefined {
  const value = headers['x-api-key'] ?? headers['x-goog-api-key'] ?? headers.authorization;
  return typeof value === 'string' ? value.replace(/^Bearer /, '') : undefined;
}

function countByKey(
  requests: Array<{ headers: Record<string, string | string[] | undefined>; path: string }>,
  since: number,
) {
  const counts: Record<string, number> = {};
  for (const request of requests.slice(since)) {
    const key = keyOf(request.headers) ?? '';
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

describe.each(vendors)('failover on $type', (vendor) => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({
      fakes,
      providers: [
        {
          id: 'pool',
          type: vendor.type,
          base_url: vendor.base(),
          models: [vendor.model],
          credentials: [
            { id: 'limited', api_key: 'fault-429-a' },
            { id: 'broken', api_key: 'fault-500-a' },
            { id: 'good', api_key: 'good-key-a' },
          ],
        },
      ],
    });
  });
  afterAll(async () => harness.close());

  it('serves every request while the bad credentials are cooled down or disabled', async () => {
    const client = new OpenAI({ apiKey: adminKey, baseURL: `${harness.url}/v1`, maxRetries: 0 });
    const before = vendor.fake().requests.length;
    for (let index = 0; index < 30; index++) {
      const completion = await client.chat.completions.create({
        model: vendor.model,
        messages: [{ role: 'user', content: `request ${index}` }],
        stream: index % 2 === 1,
      });
      if (index % 2 === 0) {
        expect((completion as OpenAI.ChatCompletion).choices[0]!.message.content).toBe(
          `Echo: request ${index}`,
        );
      } else {
        let text = '';
        for await (const chunk of completion as AsyncIterable<OpenAI.ChatCompletionChunk>)
          text += chunk.choices[0]?.delta.content ?? '';
        expect(text).toBe(`Echo: request ${index}`);
      }
    }
    const counts = countByKey(vendor.fake().requests, before);
    expect(counts['good-key-a']).toBe(30);
    // 429: tried once, then cooling down for its Retry-After (30 s).
    expect(counts['fault-429-a']).toBe(1);
    // 500: tried until the failure threshold (3), then disabled.
    expect(counts['fault-500-a']).toBe(3);

    const { body } = await adminRequest(harness, 'GET', '/admin/api/providers/pool');
    const credentials = body!.credentials as Array<Record<string, unknown>>;
    const byLabel = Object.fromEntries(credentials.map((credential) => [credential.label, credential]));
    expect(byLabel.limited).toMatchObject({ status: 'cooling_down', total_failures: 1 });
    expect(byLabel.broken).toMatchObject({ status: 'disabled', consecutive_failures: 3 });
    expect(byLabel.broken!.disabled_reason).toMatch(/3 consecutive failures/);
    expect(byLabel.good).toMatchObject({ status: 'active', total_requests: 30, total_failures: 0 });
    expect(JSON.stringify(body)).not.toContain('good-key-a');
  });
});

describe('failover across providers, timeouts and capacity', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({
      fakes,
      gateway: { upstream_timeout_ms: 300, queue_timeout_ms: 100 },
      providers: [
        {
          id: 'dead',
          type: 'openai',
          base_url: `${fakes.openai.url}/v1`,
          models: ['gpt-test'],
          credentials: [{ api_key: 'fault-401-x' }, { api_key: 'fault-reset-x' }],
        },
        {
          id: 'slow',
          type: 'anthropic',
          base_url: fakes.anthropic.url,
          models: ['claude-test'],
          credentials: [{ api_key: 'fault-slow-2000' }, { api_key: 'sk-ant-fine', priority: 1 }],
        },
        {
          id: 'narrow',
          type: 'openai',
          base_url: `${fakes.openai.url}/v1`,
          models: ['gpt-narrow'],
          credentials: [{ api_key: 'fault-slow-400', max_concurrency: 1 }],
        },
        {
          id: 'tiered',
          type: 'gemini',
          base_url: fakes.gemini.url,
          models: ['gemini-test'],
          credentials: [
            { api_key: 'primary-gem', priority: 0 },
            { api_key: 'backup-gem', priority: 1 },
          ],
        },
      ],
      models: [{ name: 'resilient', targets: ['dead/gpt-test', 'slow/claude-test'] }],
    });
  });
  afterAll(async () => harness.close());

  const client = () => new OpenAI({ apiKey: adminKey, baseURL: `${harness.url}/v1`, maxRetries: 0 });

  it('walks an alias fallback chain past a rejected key, a reset connection and a slow upstream', async () => {
    const { data, response } = await client()
      .chat.completions.create({ model: 'resilient', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe('Echo: hi');
    expect(response.headers.get('x-atelier-provider')).toBe('slow');
    expect(response.headers.get('x-atelier-attempts')).toBe('4');
    const { body } = await adminRequest(harness, 'GET', '/admin/api/providers/dead');
    const credentials = body!.credentials as Array<Record<string, unknown>>;
    const rejected = credentials.find((credential) => credential.key_preview === 'faul…01-x')!;
    expect(rejected.status).toBe('disabled');
    expect(rejected.disabled_reason).toMatch(/rejected credential/);
  });

  it('uses the backup tier only when the primary cannot serve', async () => {
    const before = fakes.gemini.requests.length;
    for (let index = 0; index < 5; index++) {
      await client().chat.completions.create({
        model: 'gemini-test',
        messages: [{ role: 'user', content: 'x' }],
      });
    }
    const keys = fakes.gemini.requests.slice(before).map((request) => keyOf(request.headers));
    expect(keys).toEqual(Array(5).fill('primary-gem'));
  });

  it('answers 429 with a clear message when every credential is at max_concurrency', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 3 }, () =>
        client().chat.completions.create({ model: 'gpt-narrow', messages: [{ role: 'user', content: 'x' }] }),
      ),
    );
    const fulfilled = results.filter((result) => result.status === 'fulfilled');
    const rejected = results.filter(
      (result): result is PromiseRejectedResult => result.status === 'rejected',
    );
    expect(fulfilled.length).toBeGreaterThanOrEqual(1);
    expect(rejected.length).toBeGreaterThanOrEqual(1);
    for (const failure of rejected) {
      expect(failure.reason).toBeInstanceOf(OpenAI.RateLimitError);
      expect(String(failure.reason.message)).toMatch(/max_concurrency/);
    }
  });

  it('records every request in the usage summary', async () => {
    const { status, body } = await adminRequest(harness, 'GET', '/admin/api/usage?group_by=provider');
    expect(status).toBe(200);
    const rows = body!.data as Array<Record<string, unknown>>;
    expect(rows.find((row) => row.group === 'tiered')).toMatchObject({ requests: 5, errors: 0 });
    expect((body!.totals as Record<string, number>).input_tokens).toBeGreaterThan(0);
  });
});

describe('streams that fail', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness({
      fakes,
      providers: [
        {
          id: 'cut',
          type: 'openai',
          base_url: `${fakes.openai.url}/v1`,
          models: ['gpt-test'],
          credentials: [{ api_key: 'fault-cut-1' }],
        },
        {
          id: 'cut-claude',
          type: 'anthropic',
          base_url: fakes.anthropic.url,
          models: ['claude-test'],
          credentials: [{ api_key: 'fault-cut-2' }],
        },
      ],
    });
  });
  afterAll(async () => harness.close());

  it.each([
    ['gpt-test', 'relayed'],
    ['claude-test', 'translated'],
  ])('ends a %s (%s) stream cut halfway with an error event, after the text sent so far', async (model) => {
    const client = new OpenAI({ apiKey: adminKey, baseURL: `${harness.url}/v1`, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'a fairly long sentence to be cut in the middle' }],
      stream: true,
    });
    let text = '';
    await expect(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })(),
    ).rejects.toThrow();
    expect(text.length).toBeGreaterThan(0);
    expect('Echo: a fairly long sentence to be cut in the middle'.startsWith(text)).toBe(true);
  });
});
