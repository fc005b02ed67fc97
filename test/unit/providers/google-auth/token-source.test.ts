import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AtelierError, ProviderError } from '../../../../src/errors/index.js';
import {
  createServiceAccountTokenSource,
  parseServiceAccount,
  type ServiceAccount,
} from '../../../../src/providers/google-auth/index.js';
import {
  startFakeGoogleTokenEndpoint,
  type FakeTokenEndpoint,
} from '../../../fakes/google-token-endpoint.js';
import { serviceAccountJson, TEST_CLIENT_EMAIL, testKeyPair } from './google-auth-fixtures.js';

const keys = testKeyPair();
const START = Date.parse('2025-06-01T12:00:00Z');
let nowMs = START;
const clock = () => nowMs;

let endpoint: FakeTokenEndpoint;
let dispatcher: Agent;

beforeAll(async () => {
  endpoint = await startFakeGoogleTokenEndpoint({
    publicKey: keys.publicKey,
    clientEmail: TEST_CLIENT_EMAIL,
    expiresInSeconds: 3600,
    now: clock,
  });
  dispatcher = new Agent({ keepAliveTimeout: 10_000 });
});

afterAll(async () => {
  await endpoint.close();
  await dispatcher.close();
});

beforeEach(() => {
  nowMs = START;
});

function account(tokenUri = endpoint.tokenUri, privateKeyPem = keys.privateKeyPem): ServiceAccount {
  return parseServiceAccount(serviceAccountJson({ privateKeyPem, tokenUri }));
}

function source(serviceAccount = account()) {
  return createServiceAccountTokenSource({ account: serviceAccount, dispatcher, clock, timeoutMs: 2_000 });
}

async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
}

describe('service-account token source', () => {
  it('exchanges a signed assertion for a token, with the default scopes', async () => {
    const before = endpoint.tokenRequests();
    const token = await source().getAccessToken(new AbortController().signal);
    expect(token).toBe(endpoint.issued.at(-1));
    expect(endpoint.tokenRequests()).toBe(before + 1);
    const sent = endpoint.requests.at(-1)!;
    expect(sent.method).toBe('POST');
    expect(sent.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const form = new URLSearchParams(sent.body as string);
    expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const [header] = form.get('assertion')!.split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({
      alg: 'RS256',
      typ: 'JWT',
      kid: '0123456789abcdef',
    });
    expect(endpoint.claims.at(-1)).toEqual({
      iss: TEST_CLIENT_EMAIL,
      scope:
        'https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/generative-language',
      aud: endpoint.tokenUri,
      iat: START / 1000,
      exp: START / 1000 + 3600,
    });
  });

  it('sends custom scopes space-separated', async () => {
    const custom = createServiceAccountTokenSource({
      account: account(),
      dispatcher,
      clock,
      scopes: ['https://www.googleapis.com/auth/a', 'https://www.googleapis.com/auth/b'],
    });
    await custom.getAccessToken();
    expect(endpoint.claims.at(-1)?.scope).toBe(
      'https://www.googleapis.com/auth/a https://www.googleapis.com/auth/b',
    );
  });

  it('20 concurrent callers share exactly one token request', async () => {
    const tokens = source();
    const before = endpoint.tokenRequests();
    const results = await Promise.all(Array.from({ length: 20 }, () => tokens.getAccessToken()));
    expect(endpoint.tokenRequests()).toBe(before + 1);
    expect(new Set(results).size).toBe(1);
    // And the cache serves the next calls without asking again.
    await tokens.getAccessToken();
    expect(endpoint.tokenRequests()).toBe(before + 1);
  });

  it('refreshes exactly once when the clock passes expiry minus the margin', async () => {
    const tokens = source();
    const first = await tokens.getAccessToken();
    const before = endpoint.tokenRequests();

    nowMs = START + (3600 - 5 * 60) * 1000 - 1; // one millisecond inside the fresh window
    expect(await tokens.getAccessToken()).toBe(first);
    expect(endpoint.tokenRequests()).toBe(before);

    nowMs = START + (3600 - 5 * 60) * 1000 + 1;
    const refreshed = await Promise.all(Array.from({ length: 20 }, () => tokens.getAccessToken()));
    expect(endpoint.tokenRequests()).toBe(before + 1);
    expect(new Set(refreshed).size).toBe(1);
    expect(refreshed[0]).not.toBe(first);
    expect(endpoint.claims.at(-1)?.iat).toBe(Math.floor(nowMs / 1000));

    await tokens.getAccessToken();
    expect(endpoint.tokenRequests()).toBe(before + 1);
  });

  it('honours a custom refresh margin', async () => {
    const tokens = createServiceAccountTokenSource({
      account: account(),
      dispatcher,
      clock,
      refreshMarginMs: 0,
    });
    await tokens.getAccessToken();
    const before = endpoint.tokenRequests();
    nowMs = START + 3599 * 1000;
    await tokens.getAccessToken();
    expect(endpoint.tokenRequests()).toBe(before);
    nowMs = START + 3600 * 1000;
    await tokens.getAccessToken();
    expect(endpoint.tokenRequests()).toBe(before + 1);
  });

  it('a bad signature is an authentication error that disables the credential', async () => {
    const stranger = testKeyPair();
    const error = await rejection(
      source(account(endpoint.tokenUri, stranger.privateKeyPem)).getAccessToken(),
    );
    expect(error).toMatchObject({
      kind: 'authentication',
      code: 'invalid_grant',
      upstreamStatus: 400,
      credentialEffect: 'disable',
    });
    expect(error.message).toContain('Invalid JWT Signature.');
    expect(error.message).toContain(TEST_CLIENT_EMAIL);
    expect(error.message).not.toContain('PRIVATE KEY');
  });

  it("assertions outside the endpoint's timeframe are refused as authentication errors", async () => {
    const skewed = createServiceAccountTokenSource({
      account: account(),
      dispatcher,
      clock: () => START - 3 * 3600_000,
    });
    const error = await rejection(skewed.getAccessToken());
    expect(error).toMatchObject({ kind: 'authentication', upstreamStatus: 400 });
  });

  it('401 from the token endpoint is an authentication error', async () => {
    const error = await rejection(source(account(endpoint.tokenUriWithFault('fault-401'))).getAccessToken());
    expect(error).toMatchObject({
      kind: 'authentication',
      code: 'invalid_client',
      credentialEffect: 'disable',
    });
  });

  it('a network failure is a retryable connection error', async () => {
    const error = await rejection(
      source(account(endpoint.tokenUriWithFault('fault-reset'))).getAccessToken(),
    );
    expect(error).toMatchObject({ kind: 'connection', retryable: true, credentialEffect: 'failure' });
    const cut = await rejection(source(account(endpoint.tokenUriWithFault('fault-cut'))).getAccessToken());
    expect(cut).toBeInstanceOf(AtelierError);
    expect(cut.retryable).toBe(true);
  });

  it('500 and 429 keep their usual classification', async () => {
    const failure = await rejection(
      source(account(endpoint.tokenUriWithFault('fault-500'))).getAccessToken(),
    );
    expect(failure).toMatchObject({ kind: 'upstream', retryable: true, credentialEffect: 'failure' });
    const limited = await rejection(
      source(account(endpoint.tokenUriWithFault('fault-429'))).getAccessToken(),
    );
    expect(limited).toMatchObject({ kind: 'rate_limit', retryAfterMs: 30_000, credentialEffect: 'cooldown' });
  });

  it('a failed first fetch does not poison the cache: the next call asks again', async () => {
    const tokens = source();
    endpoint.failNext(1, 400);
    const concurrent = await Promise.allSettled(Array.from({ length: 5 }, () => tokens.getAccessToken()));
    expect(concurrent.every((outcome) => outcome.status === 'rejected')).toBe(true);
    const before = endpoint.tokenRequests();
    const token = await tokens.getAccessToken();
    expect(token).toBe(endpoint.issued.at(-1));
    expect(endpoint.tokenRequests()).toBe(before + 1);
  });

  it('a failed refresh inside the margin keeps serving the still-valid token, then retries', async () => {
    const tokens = source();
    const first = await tokens.getAccessToken();
    nowMs = START + 3500 * 1000; // inside the margin, before expiry
    endpoint.failNext(1, 500, 'internal_failure', 'Backend Error');
    expect(await tokens.getAccessToken()).toBe(first);
    const second = await tokens.getAccessToken();
    expect(second).not.toBe(first);
    nowMs = START + 3601 * 1000; // the first token has expired; the new one has not
    expect(await tokens.getAccessToken()).toBe(second);
  });

  it('fails once the token has expired and the refresh fails', async () => {
    const tokens = source();
    await tokens.getAccessToken();
    nowMs = START + 3601 * 1000;
    endpoint.failNext(1, 401, 'invalid_client', 'The OAuth client was not found.');
    await expect(tokens.getAccessToken()).rejects.toMatchObject({ kind: 'authentication' });
  });

  it('one caller aborting does not cancel the refresh the others share', async () => {
    const tokens = source();
    const controller = new AbortController();
    const before = endpoint.tokenRequests();
    const aborted = tokens.getAccessToken(controller.signal);
    const patient = tokens.getAccessToken();
    controller.abort(new Error('client went away'));
    await expect(aborted).rejects.toThrow('client went away');
    await expect(patient).resolves.toMatch(/^ya29\./);
    expect(endpoint.tokenRequests()).toBe(before + 1);
  });
});
