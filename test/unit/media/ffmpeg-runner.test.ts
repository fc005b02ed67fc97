import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  assertLocalInputs,
  createFfmpegRunner,
  type SpawnProcess,
} from '../../../src/media/ffmpeg-runner.js';
import { ProgressTracker } from '../../../src/media/progress-parser.js';
import { FFMPEG, FFPROBE } from '../../media-fixtures/media-fixtures.js';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A long encode from a generated source (no -i, so no file needed). */
const LONG_ENCODE = [
  '-filter_complex',
  'testsrc2=size=320x240:rate=25:duration=600',
  '-c:v',
  'libx264',
  '-preset',
  'ultrafast',
  '-f',
  'null',
  '-',
];

describe('ProgressTracker', () => {
  it('turns out_time_us into a throttled, monotonic fraction that ends at 1', () => {
    let now = 0;
    const seen: number[] = [];
    const tracker = new ProgressTracker({
      durationSeconds: 10,
      onProgress: (fraction) => seen.push(fraction),
      now: () => now,
    });
    tracker.push('frame=1\nout_time_us=1000000\nprogress=continue\nout_time_us=15');
    now = 100;
    tracker.push('00000\nprogress=continue\n'); // split across chunks; throttled (100 ms later)
    now = 400;
    tracker.push('out_time_us=3000000\nout_time_us=2000000\nout_time_us=N/A\n');
    now = 800;
    tracker.push('out_time_us=99000000\nprogress=end\n');
    expect(seen).toEqual([0.1, 0.3, 0.999, 1]);
  });
});

describe('assertLocalInputs', () => {
  it.each([
    [['-i', '/tmp/a.mp4']],
    [['-protocol_whitelist', 'file,pipe,http', '-i', '/tmp/a.mp4']],
    [['-protocol_whitelist', 'file,pipe', '-i', 'concat:/a|/b']],
    [['-protocol_whitelist', 'file,pipe', '-i', '/tmp/a.mp4', '-i', '/tmp/b.mp4']],
  ])('refuses %j', (args) => {
    expect(() => assertLocalInputs(args)).toThrow(/non-local or unguarded/u);
  });
});

describe('createFfmpegRunner on the real FFmpeg', () => {
  it('cancellation kills FFmpeg quickly (the whole process group)', async () => {
    let child: ChildProcess | undefined;
    const recordingSpawn: SpawnProcess = (command, args, options) => (child = spawn(command, args, options));
    const runner = createFfmpegRunner({
      ffmpegPath: FFMPEG,
      ffprobePath: FFPROBE,
      spawn: recordingSpawn,
      killGraceMs: 1000,
    });
    const controller = new AbortController();
    const fractions: number[] = [];
    const running = runner.ffmpeg({
      args: LONG_ENCODE,
      signal: controller.signal,
      durationSeconds: 600,
      onProgress: (f) => fractions.push(f),
    });
    await new Promise((resolve) => setTimeout(resolve, 700));
    const pid = child?.pid as number;
    expect(isAlive(pid)).toBe(true);
    const abortedAt = Date.now();
    controller.abort(new Error('canceled by the user'));
    await expect(running).rejects.toThrow('canceled by the user');
    expect(Date.now() - abortedAt).toBeLessThan(1500);
    expect(isAlive(pid)).toBe(false);
    expect(fractions.length).toBeGreaterThan(0);
  });

  it('a wall-time limit stops a run with a 408', async () => {
    const runner = createFfmpegRunner({ ffmpegPath: FFMPEG, ffprobePath: FFPROBE });
    await expect(runner.ffmpeg({ args: LONG_ENCODE, timeoutMs: 300 })).rejects.toMatchObject({
      status: 408,
      code: 'processing_timeout',
    });
  });

  it('reports monotonic progress that reaches 1', async () => {
    const runner = createFfmpegRunner({ ffmpegPath: FFMPEG, ffprobePath: FFPROBE });
    const fractions: number[] = [];
    await runner.ffmpeg({
      args: [
        '-filter_complex',
        'testsrc2=size=640x480:rate=25:duration=6',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-f',
        'null',
        '-',
      ],
      durationSeconds: 6,
      onProgress: (fraction) => fractions.push(fraction),
    });
    expect(fractions.at(-1)).toBe(1);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);
    expect(new Set(fractions).size).toBe(fractions.length);
  });

  it('turns a failure into a readable 422 with the stderr tail', async () => {
    const runner = createFfmpegRunner({ ffmpegPath: FFMPEG, ffprobePath: FFPROBE });
    const failure = runner.ffmpeg({ args: ['-filter_complex', 'nosuchfilter', '-f', 'null', '-'] });
    await expect(failure).rejects.toMatchObject({ status: 422, code: 'media_processing_failed' });
    await expect(failure).rejects.toThrow(/No such filter: 'nosuchfilter'/u);
  });

  it('keeps only a bounded stderr tail', async () => {
    const fakeSpawn: SpawnProcess = () => {
      const fake = Object.assign(new EventEmitter(), {
        pid: undefined,
        stdout: new PassThrough(),
        stderr: new PassThrough(),
        exitCode: null,
        signalCode: null,
        kill: () => true,
      });
      setImmediate(() => {
        for (let index = 0; index < 100; index += 1) fake.stderr.write(`line ${index} ${'x'.repeat(100)}\n`);
        fake.stderr.end('the real reason\n');
        fake.stdout.end();
        setImmediate(() => fake.emit('close', 1, null));
      });
      return fake as unknown as ChildProcess;
    };
    const runner = createFfmpegRunner({
      ffmpegPath: 'ffmpeg',
      ffprobePath: 'ffprobe',
      spawn: fakeSpawn,
      maxStderrBytes: 1000,
    });
    const error = (await runner.ffmpeg({ args: [] }).catch((caught: unknown) => caught)) as Error;
    expect(error.message).toMatch(/exited with code 1: .*the real reason$/u);
    expect(error.message.length).toBeLessThan(1000);
  });
});
