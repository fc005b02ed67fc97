import { describe, expect, it } from 'vitest';
import { SecretBox } from '../../../src/security/secret-box.js';
import { activeSecrets, openSecrets, sealSecrets } from '../../../src/webhooks/subscription-secrets.js';

describe('subscription secrets', () => {
  const box = SecretBox.fromMasterKey('test-master-key');

  it('are sealed at rest and open to what was sealed', () => {
    const secrets = { current: 'whsec_new', previous: { secret: 'whsec_old', expiresAt: 2_000 } };
    const sealed = sealSecrets(box, secrets);
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('whsec_');
    expect(openSecrets(box, sealed)).toEqual(secrets);
    expect(() => openSecrets(SecretBox.fromMasterKey('another key'), sealed)).toThrow();
  });

  it('sign with the previous secret too until its window closes', () => {
    const secrets = { current: 'whsec_new', previous: { secret: 'whsec_old', expiresAt: 2_000 } };
    expect(activeSecrets(secrets, 1_999)).toEqual(['whsec_new', 'whsec_old']);
    expect(activeSecrets(secrets, 2_000)).toEqual(['whsec_new']);
    expect(activeSecrets({ current: 'whsec_only' }, 0)).toEqual(['whsec_only']);
  });
});
