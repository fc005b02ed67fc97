/** Still frames at given times, all in one FFmpeg run (one fast-seeking input per timestamp). */
import { filter } from './filter-escaping.js';
import { inputArgs } from './media-input.js';

export interface FrameGrab {
  seconds: number;
  outputPath: string;
}

export function buildFrameGrabArgs(
  inputPath: string,
  grabs: FrameGrab[],
  width: number | undefined,
): string[] {
  const args: string[] = [];
  for (const grab of grabs) args.push(...inputArgs(inputPath, ['-ss', grab.seconds.toFixed(3)]));
  grabs.forEach((grab, index) => {
    const scale = width === undefined ? [] : ['-vf', filter('scale', { w: width, h: -2 })];
    args.push('-map', `${index}:v:0`, ...scale, '-frames:v', '1', '-q:v', '3', grab.outputPath);
  });
  return args;
}

/** Evenly spaced times strictly inside the clip: the middle of each of `count` equal parts. */
export function uniformTimes(durationSeconds: number | undefined, count: number): number[] {
  if (durationSeconds === undefined || durationSeconds <= 0) return [0];
  return Array.from({ length: count }, (_, index) => ((index + 0.5) * durationSeconds) / count);
}
