/** Per-provider proxies (HTTP CONNECT and SOCKS5) and refreshable Google service-account credentials. */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGoogleTokenEndpoint, type FakeTokenEndpoint } from '../../fakes/google-token-endpoint.js';
import { startConnectProxy, startSocks5Proxy, type TestProxy } from '../../fakes/proxies.js';
import {
  adminKey,
  startFakes,
  startHarness,
  type Fakes,
  type Harness,
} from '../../support/gateway-harness.js';
import { serviceAccountJson, testKeyPair } from '../../unit/providers/google-auth/google-auth-fixtures.js';

let fakes: Fakes;
let httpProxy: TestProxy;
let socksProxy: TestProxy;
let tokenEndpoint: FakeTokenEndpoint;
let harness: Harness;

beforeAll(async () => {
  fakes = await startFakes();
  httpProxy = await startConnectProxy();
  socksProxy = await startSocks5Proxy();
  const keys = testKeyPair();
  tokenEndpoint = await startFakeGoogleTokenEndpoint({ publicKey: keys.publicKey });
  harness = await startHarness({
    fakes,
    providers: [
      {
        id: 'via-http',
        type: 'openai',
        base_url: `${fakes.openai.url}/v1`,
        models: ['gpt-http'],
        proxy: httpProxy.url,
        credentials: [{ api_key: 'sk-a' }],
      },
      {
        id: 'via-socks',
        type: 'anthropic',
        base_url: fakes.anthropic.url,
        models: ['claude-socks'],
        proxy: socksProxy.url,
        credentials: [{ api_key: 'sk-b' }],
      },
      {
        id: 'vertex-like',
        type: 'gemini',
        base_url: fakes.gemini.url,
        models: ['gemini-sa'],
        credentials: [
          {
            service_account_json: serviceAccountJson({
              privateKeyPem: keys.privateKeyPem,
              tokenUri: tokenEndpoint.tokenUri,
            }),
          },
        ],
      },
    ],
  });
});

afterAll(async () => {
  await harness.close();
  await Promise.all(
    [...Object.values(fakes), httpProxy, socksProxy, tokenEndpoint].map((server) => server.close()),
  );
});

const client = () => new OpenAI({ apiKey: adminKey, baseURL: `${harness.url}/v1`, maxRetries: 0 });

describe('proxies', () => {
  it('reaches an OpenAI upstream through an HTTP CONNECT proxy', async () => {
    const completion = await client().chat.completions.create({
      model: 'gpt-http',
      messages: [{ role: 'user', content: 'via proxy' }],
    });
    expect(completion.choices[0]!.message.content).toBe('Echo: via proxy');
    expect(httpProxy.tunnels).toContain(new URL(fakes.openai.url).host);
  });

  it('reaches an Anthropic upstream through a SOCKS5 proxy', async () => {
    const completion = await client().chat.completions.create({
      model: 'claude-socks',
      messages: [{ role: 'user', content: 'via socks' }],
    });
    expect(completion.choices[0]!.message.content).toBe('Echo: via socks');
    expect(socksProxy.tunnels).toContain(new URL(fakes.anthropic.url).host);
  });
});

describe('Google service-account credentials', () => {
  it('sends a bearer access token and refreshes it only once for many calls', async () => {
    const before = fakes.gemini.requests.length;
    await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        client().chat.completions.create({
          model: 'gemini-sa',
          messages: [{ role: 'user', content: `sa ${index}` }],
        }),
      ),
    );
    const sent = fakes.gemini.requests.slice(before);
    expect(sent).toHaveLength(8);
    expect(tokenEndpoint.tokenRequests()).toBe(1);
    for (const request of sent) {
      expect(request.headers.authorization).toBe(`Bearer ${tokenEndpoint.issued[0]}`);
      expect(request.headers['x-goog-api-key']).toBeUndefined();
    }
  });
});
