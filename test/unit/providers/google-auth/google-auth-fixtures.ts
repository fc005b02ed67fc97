import { generateKeyPairSync, type KeyObject } from 'node:crypto';

export interface TestKeyPair {
  privateKeyPem: string;
  publicKey: KeyObject;
}

/** A fresh RSA key pair per test file: no key material is checked in. */
export function testKeyPair(): TestKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey };
}

export const TEST_CLIENT_EMAIL = 'atelier-test@atelier-project.iam.gserviceaccount.com';

export function serviceAccountJson(
  fields: { privateKeyPem: string; tokenUri: string } & Record<string, unknown>,
) {
  const { privateKeyPem, tokenUri, ...rest } = fields;
  return JSON.stringify({
    type: 'service_account',
    project_id: 'atelier-project',
    private_key_id: '0123456789abcdef',
    private_key: privateKeyPem,
    client_email: TEST_CLIENT_EMAIL,
    client_id: '100000000000000000000',
    auth_uri: 'https://accounts.google.com/o/oauth2/auth',
    token_uri: tokenUri,
    ...rest,
  });
}
