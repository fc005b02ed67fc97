/**
 * The signed JWT a service account presents to Google's token endpoint (RFC 7523 bearer grant):
 * RS256 over base64url(header).base64url(claims), signed with the account's private key.
 */
import { sign } from 'node:crypto';
import type { ServiceAccount } from './service-account.js';

/** Google refuses assertions that live longer than an hour. */
export const ASSERTION_LIFETIME_SECONDS = 3600;

export interface JwtAssertionInput {
  account: ServiceAccount;
  scopes: readonly string[];
  issuedAtSeconds: number;
}

function base64Url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function createJwtAssertion(input: JwtAssertionInput): string {
  const header = {
    alg: 'RS256',
    typ: 'JWT',
    ...(input.account.privateKeyId ? { kid: input.account.privateKeyId } : {}),
  };
  const claims = {
    iss: input.account.clientEmail,
    scope: input.scopes.join(' '),
    aud: input.account.tokenUri,
    iat: input.issuedAtSeconds,
    exp: input.issuedAtSeconds + ASSERTION_LIFETIME_SECONDS,
  };
  const signingInput = `${base64Url(header)}.${base64Url(claims)}`;
  const signature = sign('RSA-SHA256', Buffer.from(signingInput), input.account.privateKey).toString(
    'base64url',
  );
  return `${signingInput}.${signature}`;
}
