/**
 * A Google service-account JSON key, validated once when it is stored or loaded, so a bad key fails
 * with the name of the field at fault instead of as an opaque token-endpoint refusal later.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import * as z from 'zod';
import { InvalidRequestError } from '../../errors/index.js';

const pemPrivateKey = /-----BEGIN (?:RSA )?PRIVATE KEY-----[\s\S]+-----END (?:RSA )?PRIVATE KEY-----/;

const serviceAccountSchema = z.looseObject({
  type: z.literal('service_account', { error: 'must be "service_account"' }),
  client_email: z.string({ error: 'is required' }).min(1, { error: 'is required' }),
  private_key: z
    .string({ error: 'is required' })
    .regex(pemPrivateKey, { error: 'must be a PEM private key' }),
  private_key_id: z.string().optional(),
  token_uri: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  project_id: z.string().optional(),
});

export interface ServiceAccount {
  clientEmail: string;
  /** Sent as the JWT `kid` so Google can pick the key without trying each one. */
  privateKeyId?: string;
  privateKey: KeyObject;
  tokenUri: string;
  projectId?: string;
}

export function parseServiceAccount(json: string): ServiceAccount {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new InvalidRequestError('The service account key is not valid JSON.', 'service_account');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidRequestError('The service account key must be a JSON object.', 'service_account');
  }
  const parsed = serviceAccountSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || 'service_account';
    const missing = !(issue.path[0] !== undefined && issue.path[0] in value);
    const reason = missing ? 'is missing' : issue.message;
    throw new InvalidRequestError(`The service account key field "${field}" ${reason}.`, field);
  }
  const account = parsed.data;
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: account.private_key, format: 'pem' });
  } catch {
    throw new InvalidRequestError(
      'The service account key field "private_key" is not a readable PEM private key.',
      'private_key',
    );
  }
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new InvalidRequestError(
      'The service account key field "private_key" must be an RSA key.',
      'private_key',
    );
  }
  return {
    clientEmail: account.client_email,
    privateKey,
    tokenUri: account.token_uri,
    ...(account.private_key_id ? { privateKeyId: account.private_key_id } : {}),
    ...(account.project_id ? { projectId: account.project_id } : {}),
  };
}
