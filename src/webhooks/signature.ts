/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): the signed content is
 * `${webhook-id}.${webhook-timestamp}.${body}`, signed with HMAC-SHA256 under the secret's decoded bytes,
 * sent as `v1,<base64>`. While a secret is being rotated the header lists one signature per secret,
 * separated by spaces, so receivers holding either secret keep verifying.
 */
import { createHmac, randomBytes } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';
/** The spec asks for 24 to 64 random bytes. */
const SECRET_BYTES = 32;

export function generateWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(SECRET_BYTES).toString('base64')}`;
}

function secretKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX)) throw new Error('a webhook secret must start with whsec_');
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  if (key.length < 24) throw new Error('a webhook secret must hold at least 24 bytes');
  return key;
}

export interface SignedMessage {
  id: string;
  /** Unix seconds. */
  timestamp: number;
  payload: string;
}

/** The `webhook-signature` header value: one `v1,<signature>` per secret. */
export function signWebhook(message: SignedMessage, secrets: readonly string[]): string {
  if (secrets.length === 0) throw new Error('signing a webhook needs at least one secret');
  const content = `${message.id}.${message.timestamp}.${message.payload}`;
  return secrets
    .map((secret) => `v1,${createHmac('sha256', secretKey(secret)).update(content).digest('base64')}`)
    .join(' ');
}
