import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../src/errors/index.js';
import { assertWebhookUrl } from '../../../src/webhooks/webhook-url.js';

describe('assertWebhookUrl', () => {
  it('accepts public http(s) URLs and returns them unchanged', () => {
    expect(assertWebhookUrl('https://hooks.example.com/atelier?x=1')).toBe(
      'https://hooks.example.com/atelier?x=1',
    );
  });

  it.each([
    'http://169.254.169.254/latest/meta-data/',
    'http://127.0.0.1:8080/',
    'http://localhost/hook',
    'http://10.0.0.5/hook',
    'http://[::1]/hook',
    'http://2130706433/',
    'ftp://example.com/hook',
    'https://user:pass@example.com/hook',
    'not a url',
  ])('refuses %s with a 400 naming webhook_url', (url) => {
    let caught: unknown;
    try {
      assertWebhookUrl(url);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidRequestError);
    expect(caught).toMatchObject({ status: 400, param: 'webhook_url', code: 'url_forbidden' });
    expect((caught as Error).message).toMatch(/^webhook_url: This URL cannot be fetched/);
  });

  it('names the field it is given, and lets tests reach loopback with the explicit allowance', () => {
    expect(() => assertWebhookUrl('http://127.0.0.1/', {}, 'url')).toThrow(
      expect.objectContaining({ param: 'url' }),
    );
    expect(assertWebhookUrl('http://127.0.0.1:9/', { allowPrivateHosts: true })).toBe('http://127.0.0.1:9/');
  });
});
