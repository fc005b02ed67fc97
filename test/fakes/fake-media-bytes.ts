/**
 * Real media bytes for the fake upstreams, so tests can decode what a provider returns: PNG/JPEG/WebP
 * images from sharp (one flat colour chosen by the prompt's hash), a one-second MP4 and one-second audio
 * clips from ffmpeg (made once per process and cached), and an ffprobe reader for assertions.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

export type FakeImageFormat = 'png' | 'jpeg' | 'webp';

/** The colour a prompt paints, so tests can tell which prompt an image came from. */
export function colourOf(prompt: string): { r: number; g: number; b: number } {
  const digest = createHash('sha256').update(prompt).digest();
  return { r: digest[0]!, g: digest[1]!, b: digest[2]! };
}

export async function fakeImage(
  prompt: string,
  width: number,
  height: number,
  format: FakeImageFormat = 'png',
): Promise<Buffer> {
  const image = sharp({ create: { width, height, channels: 3, background: colourOf(prompt) } });
  return image.toFormat(format).toBuffer();
}

function run(program: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const errors: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`${program} exited ${code}: ${Buffer.concat(errors).toString().slice(-500)}`));
    });
  });
}

/** Run ffmpeg writing one file in a fresh temp dir; returns the file's bytes. */
async function ffmpegFile(inputArgs: string[], outputArgs: string[], name: string): Promise<Buffer> {
  const dir = await mkdtemp(join(tmpdir(), 'atelier-fake-media-'));
  try {
    const target = join(dir, name);
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...inputArgs, ...outputArgs, target]);
    return await readFile(target);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

let mp4: Promise<Buffer> | undefined;

/** A one-second 160×120 H.264 test pattern. */
export function fakeMp4(): Promise<Buffer> {
  mp4 ??= ffmpegFile(
    ['-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10'],
    ['-t', '1', '-pix_fmt', 'yuv420p', '-movflags', '+faststart'],
    'video.mp4',
  );
  return mp4;
}

export type FakeAudioFormat = 'mp3' | 'opus' | 'aac' | 'flac' | 'wav' | 'pcm';

/** Encoder arguments and file name for each format; all are 24 kHz mono, like the vendors' TTS. */
const audioOutputs: Record<FakeAudioFormat, { args: string[]; name: string }> = {
  mp3: { args: ['-c:a', 'libmp3lame', '-b:a', '48k'], name: 'audio.mp3' },
  opus: { args: ['-c:a', 'libopus', '-b:a', '32k'], name: 'audio.ogg' },
  aac: { args: ['-c:a', 'aac', '-b:a', '48k', '-f', 'adts'], name: 'audio.aac' },
  flac: { args: ['-c:a', 'flac'], name: 'audio.flac' },
  wav: { args: ['-c:a', 'pcm_s16le'], name: 'audio.wav' },
  pcm: { args: ['-c:a', 'pcm_s16le', '-f', 's16le'], name: 'audio.pcm' },
};

const audio = new Map<FakeAudioFormat, Promise<Buffer>>();

/** One second of a 440 Hz sine. */
export function fakeAudio(format: FakeAudioFormat): Promise<Buffer> {
  let clip = audio.get(format);
  if (!clip) {
    const output = audioOutputs[format];
    clip = ffmpegFile(
      ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=24000:duration=1'],
      ['-ac', '1', '-ar', '24000', ...output.args],
      output.name,
    );
    audio.set(format, clip);
  }
  return clip;
}

export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  channels?: number;
}

export interface ProbedMedia {
  format: { format_name: string; duration?: string };
  streams: ProbedStream[];
}

/** ffprobe the bytes (tests use it to prove what came back is real media). */
export async function probeMedia(data: Buffer, name = 'media'): Promise<ProbedMedia> {
  const dir = await mkdtemp(join(tmpdir(), 'atelier-probe-'));
  try {
    const file = join(dir, name);
    await writeFile(file, data);
    const json = await run('ffprobe', [
      '-v',
      'error',
      '-print_format',
      'json',
      '-show_format',
      '-show_streams',
      file,
    ]);
    return JSON.parse(json.toString('utf8')) as ProbedMedia;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
