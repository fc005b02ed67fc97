import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../../src/errors/index.js';
import { parseServiceAccount } from '../../../../src/providers/google-auth/index.js';
import { serviceAccountJson, TEST_CLIENT_EMAIL, testKeyPair } from './google-auth-fixtures.js';

const keys = testKeyPair();
const valid = JSON.parse(
  serviceAccountJson({ privateKeyPem: keys.privateKeyPem, tokenUri: 'https://oauth2.googleapis.com/token' }),
) as Record<string, unknown>;

function refusal(json: string): InvalidRequestError {
  try {
    parseServiceAccount(json);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return error as InvalidRequestError;
  }
  throw new Error('expected parseServiceAccount to refuse the key');
}

describe('parseServiceAccount', () => {
  it('reads a valid key', () => {
    const account = parseServiceAccount(JSON.stringify(valid));
    expect(account).toMatchObject({
      clientEmail: TEST_CLIENT_EMAIL,
      tokenUri: 'https://oauth2.googleapis.com/token',
      privateKeyId: '0123456789abcdef',
      projectId: 'atelier-project',
    });
    expect(account.privateKey.asymmetricKeyType).toBe('rsa');
  });

  it.each(['type', 'client_email', 'private_key', 'token_uri'])('names the missing field %s', (field) => {
    const { [field]: _removed, ...rest } = valid;
    const error = refusal(JSON.stringify(rest));
    expect(error.param).toBe(field);
    expect(error.message).toContain(`"${field}" is missing`);
  });

  it('names fields with the wrong value', () => {
    expect(refusal(JSON.stringify({ ...valid, type: 'authorized_user' }))).toMatchObject({ param: 'type' });
    expect(refusal(JSON.stringify({ ...valid, private_key: 'not a key' }))).toMatchObject({
      param: 'private_key',
      message: expect.stringContaining('PEM'),
    });
    expect(refusal(JSON.stringify({ ...valid, token_uri: 'not a url' }))).toMatchObject({
      param: 'token_uri',
    });
    const garbledPem = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n';
    expect(refusal(JSON.stringify({ ...valid, private_key: garbledPem }))).toMatchObject({
      param: 'private_key',
    });
  });

  it('refuses text that is not a JSON object', () => {
    for (const text of ['{', 'null', '[]', '42', '"key"']) {
      expect(refusal(text).param).toBe('service_account');
    }
  });
});
