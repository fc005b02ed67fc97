/**
 * When a failed delivery is tried again: a growing schedule (5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h,
 * then every 3 h) with ±20 % jitter so that a receiver coming back from an outage is not hit by every
 * queued delivery in the same second. A receiver's Retry-After (on 429 or 503) wins, within a day.
 */
export const defaultRetrySchedule: readonly number[] = [
  5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 10_800_000,
];

const MAXIMUM_RETRY_AFTER_MS = 86_400_000;

export function retryDelay(input: {
  /** Attempts made so far, the failed one included (1 after the first failure). */
  attempts: number;
  schedule: readonly number[];
  retryAfterMs?: number;
  random: () => number;
}): number {
  if (input.retryAfterMs !== undefined) return Math.min(input.retryAfterMs, MAXIMUM_RETRY_AFTER_MS);
  const index = Math.min(Math.max(0, input.attempts - 1), input.schedule.length - 1);
  const base = input.schedule[index] ?? 0;
  return Math.round(base * (0.8 + input.random() * 0.4));
}
