import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSigningSecret, SIGNING_SECRET_FILE } from '../../../src/webhooks/signing-secret.js';
import { generateWebhookSecret } from '../../../src/webhooks/signature.js';

describe('loadSigningSecret', () => {
  it('creates a secret on first start, private to the owner, and keeps it across restarts', () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'atelier-signing-')), 'nested');
    const first = loadSigningSecret({ dataDir });
    expect(first).toMatch(/^whsec_/);
    const file = join(dataDir, SIGNING_SECRET_FILE);
    expect(readFileSync(file, 'utf8')).toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadSigningSecret({ dataDir })).toBe(first);
  });

  it('prefers a configured secret and writes nothing', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'atelier-signing-'));
    const configured = generateWebhookSecret();
    expect(loadSigningSecret({ configured, dataDir })).toBe(configured);
    expect(() => statSync(join(dataDir, SIGNING_SECRET_FILE))).toThrow();
  });

  it('refuses a malformed secret at start', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'atelier-signing-'));
    expect(() => loadSigningSecret({ configured: 'hunter2', dataDir })).toThrow(/whsec_/);
    writeFileSync(join(dataDir, SIGNING_SECRET_FILE), 'whsec_c2hvcnQ=');
    expect(() => loadSigningSecret({ dataDir })).toThrow(/24 bytes/);
  });
});
