/** How rows past their retention go: one sweep at once, then one every hour, on a timer that keeps no process alive. */

const sweepIntervalMs = 3_600_000;

/** Runs `sweep` now and every hour; the returned function stops it. `sweep` handles its own failures. */
export function startRetentionSweep(sweep: () => Promise<void>): () => void {
  const timer = setInterval(() => void sweep(), sweepIntervalMs);
  timer.unref();
  void sweep();
  return () => clearInterval(timer);
}
