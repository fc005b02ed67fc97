/** One exchange of a signed JWT assertion for an access token at the account's token_uri. */
import { request, type Dispatcher } from 'undici';
import * as z from 'zod';
import { parseRetryAfter, readText, toTransportError } from '../http/upstream-client.js';
import { createJwtAssertion } from './jwt-assertion.js';
import type { ServiceAccount } from './service-account.js';
import { malformedTokenResponse, tokenEndpointError } from './token-errors.js';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().positive().optional(),
  token_type: z.string().optional(),
});

export interface TokenRequestInput {
  account: ServiceAccount;
  dispatcher: Dispatcher;
  scopes: readonly string[];
  nowMs: number;
  timeoutMs: number;
  provider: string;
}

export interface IssuedToken {
  accessToken: string;
  /** Google's tokens live an hour; absent means we assume that. */
  expiresInSeconds: number;
}

export async function requestAccessToken(input: TokenRequestInput): Promise<IssuedToken> {
  const assertion = createJwtAssertion({
    account: input.account,
    scopes: input.scopes,
    issuedAtSeconds: Math.floor(input.nowMs / 1000),
  });
  const form = new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion }).toString();
  let status: number;
  let text: string;
  let headers: Dispatcher.ResponseData['headers'];
  try {
    const response = await request(input.account.tokenUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form,
      dispatcher: input.dispatcher,
      headersTimeout: input.timeoutMs,
      bodyTimeout: input.timeoutMs,
    });
    status = response.statusCode;
    headers = response.headers;
    text = await readText(response.body, 1024 * 1024);
  } catch (error) {
    throw toTransportError(input.provider, error);
  }
  if (status < 200 || status >= 300) {
    throw tokenEndpointError({
      provider: input.provider,
      clientEmail: input.account.clientEmail,
      status,
      text,
      retryAfterMs: parseRetryAfter(headers),
    });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw malformedTokenResponse(input.provider, 'not JSON');
  }
  const parsed = tokenResponseSchema.safeParse(body);
  if (!parsed.success) throw malformedTokenResponse(input.provider, 'no access_token');
  return { accessToken: parsed.data.access_token, expiresInSeconds: parsed.data.expires_in ?? 3600 };
}
