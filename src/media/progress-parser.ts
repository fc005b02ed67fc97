/**
 * Turns FFmpeg's `-progress pipe:1` output (blocks of `key=value` lines ending with `progress=continue`
 * or `progress=end`) into a monotonic fraction, throttled so a fast encode cannot flood job events.
 */

export interface ProgressTrackerOptions {
  /** The probed length of what is being processed; without it only the final 1 is reported. */
  durationSeconds: number | undefined;
  onProgress: (fraction: number) => void;
  minIntervalMs?: number;
  now?: () => number;
}

export class ProgressTracker {
  private buffered = '';
  private reported = 0;
  private lastReportAt = Number.NEGATIVE_INFINITY;
  private readonly minIntervalMs: number;
  private readonly now: () => number;

  constructor(private readonly options: ProgressTrackerOptions) {
    this.minIntervalMs = options.minIntervalMs ?? 250;
    this.now = options.now ?? Date.now;
  }

  /** Feed a chunk of stdout; lines may be split across chunks. */
  push(chunk: string): void {
    this.buffered += chunk;
    const lines = this.buffered.split('\n');
    this.buffered = lines.pop() ?? '';
    for (const line of lines) this.line(line.trim());
  }

  /** FFmpeg finished successfully: report completion once. */
  finish(): void {
    this.report(1, true);
  }

  private line(line: string): void {
    const separator = line.indexOf('=');
    if (separator < 0) return;
    const key = line.slice(0, separator);
    const value = line.slice(separator + 1);
    if (key === 'out_time_us' || key === 'out_time_ms') {
      // out_time_ms is also in microseconds (a long-standing FFmpeg quirk).
      const microseconds = Number(value);
      const duration = this.options.durationSeconds;
      if (Number.isFinite(microseconds) && duration !== undefined && duration > 0) {
        this.report(Math.min(0.999, Math.max(0, microseconds / 1e6 / duration)), false);
      }
    } else if (key === 'progress' && value === 'end') {
      this.report(1, true);
    }
  }

  private report(fraction: number, force: boolean): void {
    if (fraction <= this.reported) return;
    const at = this.now();
    if (!force && at - this.lastReportAt < this.minIntervalMs) return;
    this.reported = fraction;
    this.lastReportAt = at;
    this.options.onProgress(fraction);
  }
}
