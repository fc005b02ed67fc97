/**
 * The global secret that signs deliveries to per-job `webhook_url`s. A configured value wins (every process
 * of a scaled-out install must share it); otherwise one is generated on first start into the data
 * directory (mode 0600), like the master key, so it survives restarts and receivers keep verifying.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateWebhookSecret, signWebhook } from './signature.js';

export const SIGNING_SECRET_FILE = 'webhook-signing.secret';

export function loadSigningSecret(options: { configured?: string; dataDir: string }): string {
  const secret = options.configured ?? readOrCreate(options.dataDir);
  // Fail at start, not at the first delivery, when the secret is malformed.
  signWebhook({ id: 'check', timestamp: 0, payload: '' }, [secret]);
  return secret;
}

function readOrCreate(dataDir: string): string {
  const file = join(dataDir, SIGNING_SECRET_FILE);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    try {
      writeFileSync(file, generateWebhookSecret(), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  chmodSync(file, 0o600);
  return readFileSync(file, 'utf8').trim();
}
