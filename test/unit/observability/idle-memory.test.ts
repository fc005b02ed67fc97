/**
 * After work and then quiet, the process runs a full collection (which arms V8's memory reducer), and at most
 * two more while the young generation stays grown; quiet alone, or a young generation that is small, runs none.
 */
import pino from 'pino';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startIdleMemoryRelease } from '../../../src/observability/idle-memory.js';

const intervalMs = 50;
let stop: () => void = () => {};
afterEach(() => stop());

function watch(youngGenerationBytes: number) {
  const released: Array<{ pauseMs: number; rssBeforeMb: number; rssAfterMb: number }> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => released.push(JSON.parse(line)) });
  stop = startIdleMemoryRelease({ logger, intervalMs, youngGenerationBytes });
  return released;
}

function work(ms: number): void {
  const until = performance.now() + ms;
  let garbage: unknown[] = [];
  while (performance.now() < until) garbage = [{ garbage }];
}

const quiet = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('idle memory release', () => {
  it('collects when a busy interval is followed by a quiet one, three times at most', async () => {
    // A threshold of 0: the young generation always counts as grown, as if V8 never shrank it.
    const released = watch(0);
    await quiet(intervalMs / 2);
    work(intervalMs * 2);
    await vi.waitFor(() => expect(released.length).toBeGreaterThan(0), { timeout: 2_000 });
    expect(released[0]).toEqual(
      expect.objectContaining({ msg: 'idle: released memory', pauseMs: expect.any(Number) }),
    );
    await vi.waitFor(() => expect(released).toHaveLength(3), { timeout: 4_000 });
    await quiet(intervalMs * 10);
    expect(released).toHaveLength(3);
  });

  it('does nothing while the process has been quiet all along', async () => {
    const released = watch(0);
    await quiet(intervalMs * 6);
    expect(released).toEqual([]);
  });

  it('does nothing after work when the young generation is small', async () => {
    const released = watch(Number.MAX_SAFE_INTEGER);
    await quiet(intervalMs / 2);
    work(intervalMs * 2);
    await quiet(intervalMs * 6);
    expect(released).toEqual([]);
  });
});
