/**
 * A subscription's signing secrets, sealed at rest as one value: the current secret and, for a while after
 * a rotation, the previous one — during that window every delivery carries a signature under each, so
 * receivers can switch secrets without dropping a message.
 */
import type { SecretBox } from '../security/secret-box.js';

export interface SubscriptionSecrets {
  current: string;
  previous?: { secret: string; expiresAt: number };
}

export function sealSecrets(box: SecretBox, secrets: SubscriptionSecrets): string {
  return box.seal(JSON.stringify(secrets));
}

export function openSecrets(box: SecretBox, sealed: string): SubscriptionSecrets {
  return JSON.parse(box.open(sealed)) as SubscriptionSecrets;
}

/** The secrets to sign with at `now`: the current one first, then a previous one still in its window. */
export function activeSecrets(secrets: SubscriptionSecrets, now: number): string[] {
  const previous = secrets.previous;
  return previous && previous.expiresAt > now ? [secrets.current, previous.secret] : [secrets.current];
}
