/**
 * Encryption at rest for provider credentials: AES-256-GCM with a key derived from ATELIER_MASTER_KEY,
 * or from a random key file created (mode 0600) in the data directory on first start.
 * Sealed form: "v1:" + base64(iv | tag | ciphertext).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  static fromMasterKey(masterKey: string): SecretBox {
    return new SecretBox(createHash('sha256').update(`atelier-secret-box:${masterKey}`).digest());
  }

  /** Use the configured master key, else the key file in the data dir (created when missing). */
  static open(options: { masterKey?: string; dataDir: string }): SecretBox {
    if (options.masterKey) return SecretBox.fromMasterKey(options.masterKey);
    const file = join(options.dataDir, 'master.key');
    if (!existsSync(file)) {
      mkdirSync(options.dataDir, { recursive: true });
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    }
    chmodSync(file, 0o600);
    return SecretBox.fromMasterKey(readFileSync(file, 'utf8').trim());
  }

  seal(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `v1:${Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64')}`;
  }

  open(sealed: string): string {
    if (!sealed.startsWith('v1:')) throw new Error('unknown sealed secret format');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}

/** Show a secret as its first and last characters only. */
export function maskSecret(secret: string): string {
  if (secret.length <= 8) return '****';
  return `${secret.slice(0, 4)}…${secret.slice(-4)}`;
}
