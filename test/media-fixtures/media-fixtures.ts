/**
 * Test inputs generated on demand with FFmpeg's own sources (testsrc2, sine, color) into a temp
 * directory — nothing binary is committed. Each fixture is made once per test file.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FFMPEG = '/usr/bin/ffmpeg';
export const FFPROBE = '/usr/bin/ffprobe';

export function runTool(command: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve({ stdout, stderr })
        : reject(new Error(`${command} failed: ${stderr.slice(-2000)}`)),
    );
  });
}

const ffmpeg = (args: string[]) => runTool(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', ...args]);

/** The planted cuts in `scenes.mp4`: red → blue at 1 s, blue → test pattern at 2 s. */
export const PLANTED_CUTS = [1, 2];

const RECIPES: Record<string, (path: string, dir: string) => Promise<unknown>> = {
  // 2 s of moving test pattern with a 440 Hz tone.
  'video.mp4': (path) =>
    ffmpeg([
      ...['-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25:duration=2'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=2'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', path],
    ]),
  'silent.mp4': (path) =>
    ffmpeg([
      ...['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=30:duration=1'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', path],
    ]),
  'scenes.mp4': (path) =>
    ffmpeg([
      ...['-f', 'lavfi', '-i', 'color=c=red:size=160x120:rate=25:duration=1'],
      ...['-f', 'lavfi', '-i', 'color=c=blue:size=160x120:rate=25:duration=1'],
      ...['-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25:duration=1'],
      ...['-filter_complex', '[0:v][1:v][2:v]concat=n=3:v=1:a=0,format=yuv420p[v]', '-map', '[v]'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', path],
    ]),
  // A black first second, then a sharp pattern: smart thumbnails must avoid the black part.
  'black-start.mp4': (path) =>
    ffmpeg([
      ...['-f', 'lavfi', '-i', 'color=c=black:size=160x120:rate=25:duration=1'],
      ...['-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=25:duration=2'],
      ...['-filter_complex', '[0:v][1:v]concat=n=2:v=1:a=0,format=yuv420p[v]', '-map', '[v]'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', path],
    ]),
  'tone.wav': (path) =>
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=1000:sample_rate=48000:duration=4',
      '-af',
      'volume=-12dB',
      path,
    ]),
  'voice.wav': (path) =>
    ffmpeg([
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=300:sample_rate=48000:duration=3',
      '-af',
      'volume=-6dB',
      path,
    ]),
  'music.wav': (path) =>
    ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=800:sample_rate=44100:duration=3', '-ac', '2', path]),
  'image.png': (path) =>
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=size=200x100:duration=1', '-frames:v', '1', path]),
  'logo.png': (path) =>
    ffmpeg(['-f', 'lavfi', '-i', 'color=c=yellow:size=32x32:duration=1', '-frames:v', '1', path]),
  'subtitles.srt': (path) =>
    writeFile(
      path,
      '1\n00:00:00,000 --> 00:00:01,500\nHello, world\n\n2\n00:00:01,500 --> 00:00:02,000\nSecond line\n',
    ),
  'with-subtitles.mkv': async (path, dir) => {
    await fixtureFile(dir, 'video.mp4');
    await fixtureFile(dir, 'subtitles.srt');
    await ffmpeg([
      ...['-i', join(dir, 'video.mp4'), '-i', join(dir, 'subtitles.srt')],
      ...['-map', '0', '-map', '1', '-c', 'copy', '-c:s', 'srt', path],
    ]);
  },
};

const made = new Map<string, Promise<string>>();

function fixtureFile(dir: string, name: string): Promise<string> {
  const key = join(dir, name);
  let promise = made.get(key);
  if (!promise) {
    const recipe = RECIPES[name];
    if (!recipe) throw new Error(`No fixture recipe for ${name}`);
    promise = recipe(key, dir).then(() => key);
    made.set(key, promise);
  }
  return promise;
}

export interface MediaFixtures {
  dir: string;
  file(name: keyof typeof RECIPES): Promise<string>;
  /** A fresh empty work directory, like the one a job gets. */
  workDir(): Promise<string>;
  cleanUp(): Promise<void>;
}

export async function createMediaFixtures(): Promise<MediaFixtures> {
  const dir = await mkdtemp(join(tmpdir(), 'atelier-media-fixtures-'));
  const workDirs: string[] = [];
  return {
    dir,
    file: (name) => fixtureFile(dir, name),
    async workDir() {
      const path = await mkdtemp(join(tmpdir(), 'atelier-media-work-'));
      workDirs.push(path);
      return path;
    },
    async cleanUp() {
      await Promise.all([dir, ...workDirs].map((path) => rm(path, { recursive: true, force: true })));
    },
  };
}

export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  duration?: string;
  sample_rate?: string;
}

/** Independent check of an output: ffprobe directly, not through the code under test. */
export async function ffprobeJson(
  path: string,
): Promise<{ streams: ProbedStream[]; format: { duration?: string; format_name: string } }> {
  const { stdout } = await runTool(FFPROBE, [
    '-v',
    'error',
    '-show_streams',
    '-show_format',
    '-of',
    'json',
    path,
  ]);
  return JSON.parse(stdout) as {
    streams: ProbedStream[];
    format: { duration?: string; format_name: string };
  };
}

/** Integrated loudness measured independently with ebur128. */
export async function measureLufs(path: string): Promise<number> {
  const { stderr } = await runTool(FFMPEG, [
    '-hide_banner',
    '-nostats',
    '-i',
    path,
    '-af',
    'ebur128',
    '-f',
    'null',
    '-',
  ]);
  const match = /I:\s+(-?[\d.]+) LUFS/u.exec(stderr.slice(stderr.lastIndexOf('Summary:')));
  return Number(match?.[1]);
}
