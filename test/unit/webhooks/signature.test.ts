import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { generateWebhookSecret, signWebhook } from '../../../src/webhooks/signature.js';

function headersFor(id: string, timestamp: number, signature: string) {
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature };
}

describe('Standard Webhooks signatures', () => {
  const payload = JSON.stringify({ type: 'job.succeeded', data: { id: 'job_1', note: 'naïve ✓' } });
  const now = Math.floor(Date.now() / 1000);

  it('generates whsec_ secrets of 32 random bytes', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
  });

  it('signs so that the standardwebhooks library verifies', () => {
    const secret = generateWebhookSecret();
    const signature = signWebhook({ id: 'msg_abc', timestamp: now, payload }, [secret]);
    expect(signature).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    const verified = new Webhook(secret).verify(payload, headersFor('msg_abc', now, signature));
    expect(verified).toEqual(JSON.parse(payload));
  });

  it('produces the same signature as the library itself', () => {
    const secret = generateWebhookSecret();
    const ours = signWebhook({ id: 'msg_same', timestamp: now, payload }, [secret]);
    expect(ours).toBe(new Webhook(secret).sign('msg_same', new Date(now * 1000), payload));
  });

  it('lists one signature per secret while rotating; either secret verifies', () => {
    const [current, previous, stranger] = [
      generateWebhookSecret(),
      generateWebhookSecret(),
      generateWebhookSecret(),
    ];
    const signature = signWebhook({ id: 'msg_rot', timestamp: now, payload }, [current, previous]);
    expect(signature.split(' ')).toHaveLength(2);
    for (const secret of [current, previous]) {
      expect(() => new Webhook(secret).verify(payload, headersFor('msg_rot', now, signature))).not.toThrow();
    }
    expect(() => new Webhook(stranger).verify(payload, headersFor('msg_rot', now, signature))).toThrow(
      WebhookVerificationError,
    );
  });

  it('binds the id, the timestamp and the body', () => {
    const secret = generateWebhookSecret();
    const signature = signWebhook({ id: 'msg_x', timestamp: now, payload }, [secret]);
    const webhook = new Webhook(secret);
    expect(() => webhook.verify(`${payload} `, headersFor('msg_x', now, signature))).toThrow(
      WebhookVerificationError,
    );
    expect(() => webhook.verify(payload, headersFor('msg_y', now, signature))).toThrow(
      WebhookVerificationError,
    );
    expect(() => webhook.verify(payload, headersFor('msg_x', now - 1, signature))).toThrow(
      WebhookVerificationError,
    );
  });

  it('refuses secrets that are not whsec_ with enough key material, and an empty list', () => {
    const message = { id: 'msg_x', timestamp: now, payload };
    expect(() => signWebhook(message, ['not-a-secret'])).toThrow(/whsec_/);
    expect(() => signWebhook(message, [`whsec_${Buffer.alloc(8).toString('base64')}`])).toThrow(/24 bytes/);
    expect(() => signWebhook(message, [])).toThrow(/at least one/);
  });
});
