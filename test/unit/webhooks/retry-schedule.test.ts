import { describe, expect, it } from 'vitest';
import { defaultRetrySchedule, retryDelay } from '../../../src/webhooks/retry-schedule.js';

describe('retryDelay', () => {
  const middle = () => 0.5;

  it('follows the schedule, repeating its last entry', () => {
    const delays = [1, 2, 3, 7, 8, 20].map((attempts) =>
      retryDelay({ attempts, schedule: defaultRetrySchedule, random: middle }),
    );
    expect(delays).toEqual([5_000, 30_000, 120_000, 10_800_000, 10_800_000, 10_800_000]);
  });

  it('jitters by ±20 %', () => {
    expect(retryDelay({ attempts: 2, schedule: [100_000, 100_000], random: () => 0 })).toBe(80_000);
    expect(retryDelay({ attempts: 2, schedule: [100_000, 100_000], random: () => 0.999999 })).toBe(120_000);
  });

  it("uses the receiver's Retry-After instead, capped at a day", () => {
    expect(retryDelay({ attempts: 1, schedule: [60_000], retryAfterMs: 1_500, random: middle })).toBe(1_500);
    expect(retryDelay({ attempts: 1, schedule: [60_000], retryAfterMs: 0, random: middle })).toBe(0);
    expect(
      retryDelay({ attempts: 1, schedule: [60_000], retryAfterMs: 10 * 86_400_000, random: middle }),
    ).toBe(86_400_000);
  });
});
