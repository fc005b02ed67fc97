/**
 * Fault injection shared by every fake upstream, chosen by the credential (API key) the gateway sends,
 * so one fake serves good and bad credentials side by side:
 *   fault-429       → 429 with Retry-After: 30 in the vendor's error body
 *   fault-500       → 500 in the vendor's error body
 *   fault-401       → 401 (authentication) in the vendor's error body
 *   fault-reset     → the TCP connection is destroyed before any response
 *   fault-cut       → a stream sends about half its events, then the connection is destroyed
 *                     (non-streaming: headers and half the JSON, then destroyed)
 *   fault-slow-<ms> → waits <ms> before answering
 *   fault-400       → 400 invalid request in the vendor's error body (a client error to pass through)
 * Any other key is served normally.
 */
export type Fault =
  | { kind: 'none' }
  | { kind: 'status'; status: 429 | 500 | 401 | 400 }
  | { kind: 'reset' }
  | { kind: 'cut' }
  | { kind: 'slow'; delayMs: number };

export function faultForKey(key: string | undefined): Fault {
  if (!key) return { kind: 'none' };
  if (key.startsWith('fault-429')) return { kind: 'status', status: 429 };
  if (key.startsWith('fault-500')) return { kind: 'status', status: 500 };
  if (key.startsWith('fault-401')) return { kind: 'status', status: 401 };
  if (key.startsWith('fault-400')) return { kind: 'status', status: 400 };
  if (key.startsWith('fault-reset')) return { kind: 'reset' };
  if (key.startsWith('fault-cut')) return { kind: 'cut' };
  const slow = /^fault-slow-(\d+)/.exec(key);
  if (slow) return { kind: 'slow', delayMs: Number(slow[1]) };
  return { kind: 'none' };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
