/**
 * A fake Google OAuth token endpoint for service accounts (RFC 7523 JWT bearer grant). It checks what
 * Google checks: the grant type, the RS256 signature against the account's public key, and the claims
 * (iss, aud = the URL asked, scope, a lifetime of at most an hour around "now"). It answers
 * {access_token, expires_in, token_type:'Bearer'} or Google's {error, error_description}.
 *
 * Faults are keyed on the token path, so an account chooses one through its token_uri:
 * `${url}/fault-500/token` (see tokenUriWithFault). The plain token_uri is `${url}/token`.
 */
import type { ServerResponse } from 'node:http';
import { verify, type KeyObject } from 'node:crypto';
import { cutAfter, startFakeServer, type FakeUpstream } from './fake-server.js';

export interface FakeTokenEndpointOptions {
  /** The service account's public key (PEM or KeyObject). */
  publicKey: KeyObject | string;
  /** When set, the assertion's `iss` must equal it. */
  clientEmail?: string;
  expiresInSeconds?: number;
  /** The endpoint's clock in milliseconds, shared with the token source under test. */
  now?: () => number;
}

export interface FakeTokenEndpoint extends FakeUpstream {
  tokenUri: string;
  tokenUriWithFault(fault: string): string;
  /** POSTs received on token paths, whatever the outcome. */
  tokenRequests(): number;
  /** Access tokens handed out, in order. */
  issued: string[];
  /** Claims of the accepted assertions, in order. */
  claims: Record<string, unknown>[];
  /** Refuse the next `count` requests with this status and OAuth error. */
  failNext(count: number, status: number, error?: string, description?: string): void;
}

const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const ALLOWED_SKEW_SECONDS = 60;

const statusFaults = {
  400: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' },
  401: { error: 'invalid_client', error_description: 'The OAuth client was not found.' },
  429: { error: 'rate_limit_exceeded', error_description: 'Rate limit exceeded.' },
  500: { error: 'internal_failure', error_description: 'Backend Error' },
} as const;

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}

function decodeSegment(segment: string | undefined): Record<string, unknown> | undefined {
  if (!segment) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export async function startFakeGoogleTokenEndpoint(
  options: FakeTokenEndpointOptions,
): Promise<FakeTokenEndpoint> {
  const now = options.now ?? Date.now;
  const issued: string[] = [];
  const claimsSeen: Record<string, unknown>[] = [];
  const forced: { status: number; body: { error: string; error_description: string } }[] = [];
  let counter = 0;

  const server = await startFakeServer(
    (_request, url) => url.pathname.split('/').find((segment) => segment.startsWith('fault-')),
    ({ request, response, fault }) => {
      const refuse = (error: string, description: string) =>
        sendJson(response, 400, { error, error_description: description });
      if (request.method !== 'POST' || !request.path.endsWith('/token')) {
        return sendJson(response, 404, { error: 'not_found' });
      }
      const next = forced.shift();
      if (next) return sendJson(response, next.status, next.body);
      if (fault.kind === 'status') {
        const headers: Record<string, string> = fault.status === 429 ? { 'retry-after': '30' } : {};
        return sendJson(response, fault.status, statusFaults[fault.status], headers);
      }
      if (request.headers['content-type'] !== 'application/x-www-form-urlencoded') {
        return refuse('invalid_request', 'Invalid content type.');
      }
      const form = new URLSearchParams(typeof request.body === 'string' ? request.body : '');
      if (form.get('grant_type') !== JWT_BEARER_GRANT) {
        return refuse('unsupported_grant_type', 'Invalid grant_type: ' + (form.get('grant_type') ?? ''));
      }
      const [headerPart, claimsPart, signaturePart] = (form.get('assertion') ?? '').split('.');
      const header = decodeSegment(headerPart);
      const claims = decodeSegment(claimsPart);
      if (!header || !claims || !signaturePart) return refuse('invalid_grant', 'Invalid JWT: malformed.');
      if (header.alg !== 'RS256' || header.typ !== 'JWT')
        return refuse('invalid_grant', 'Invalid JWT header.');
      const signed = verify(
        'RSA-SHA256',
        Buffer.from(`${headerPart}.${claimsPart}`),
        options.publicKey,
        Buffer.from(signaturePart, 'base64url'),
      );
      if (!signed) return refuse('invalid_grant', 'Invalid JWT Signature.');
      const nowSeconds = Math.floor(now() / 1000);
      const { iss, aud, scope, iat, exp } = claims;
      if (typeof iss !== 'string' || (options.clientEmail !== undefined && iss !== options.clientEmail)) {
        return refuse('invalid_grant', 'Invalid issuer.');
      }
      if (aud !== `${server.url}${request.path}`)
        return refuse('invalid_grant', 'Invalid JWT: audience mismatch.');
      if (typeof scope !== 'string' || scope.trim() === '')
        return refuse('invalid_scope', 'Empty or missing scope.');
      if (
        typeof iat !== 'number' ||
        typeof exp !== 'number' ||
        exp - iat > 3600 ||
        exp <= iat ||
        iat > nowSeconds + ALLOWED_SKEW_SECONDS ||
        exp < nowSeconds - ALLOWED_SKEW_SECONDS
      ) {
        return refuse(
          'invalid_grant',
          'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.',
        );
      }
      const accessToken = `ya29.fake-token-${++counter}`;
      issued.push(accessToken);
      claimsSeen.push(claims);
      const body = JSON.stringify({
        access_token: accessToken,
        expires_in: options.expiresInSeconds ?? 3599,
        token_type: 'Bearer',
      });
      if (fault.kind === 'cut') {
        response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        return cutAfter(response, body.slice(0, Math.floor(body.length / 2)));
      }
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      response.end(body);
    },
  );

  return {
    ...server,
    tokenUri: `${server.url}/token`,
    tokenUriWithFault: (fault) => `${server.url}/${fault}/token`,
    tokenRequests: () => server.requests.filter((request) => request.path.endsWith('/token')).length,
    issued,
    claims: claimsSeen,
    failNext(count, status, error = 'invalid_grant', description = 'Invalid JWT Signature.') {
      for (let index = 0; index < count; index++)
        forced.push({ status, body: { error, error_description: description } });
    },
  };
}
