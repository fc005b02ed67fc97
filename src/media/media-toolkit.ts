/**
 * What the local FFmpeg build can do, detected once at start: version, encoders, filters and the hardware
 * encoders that actually work on this machine (compiled in is not enough: each is tried on a tiny frame).
 */
import { existsSync } from 'node:fs';
import { InvalidRequestError } from '../errors/index.js';
import { createFfmpegRunner, type FfmpegRunner, type SpawnProcess } from './ffmpeg-runner.js';
import type { LocatedTools, ToolSource } from './ffmpeg-locator.js';

export type HardwareFamily = 'nvenc' | 'qsv' | 'vaapi';

export interface HardwareEncoder {
  encoder: string;
  codec: 'h264' | 'hevc';
  family: HardwareFamily;
}

export interface MediaCapabilities {
  ffmpeg: { path: string; source: ToolSource };
  ffprobe: { path: string; source: ToolSource };
  version: string;
  encoders: string[];
  filters: string[];
  hardwareEncoders: HardwareEncoder[];
}

export interface MediaToolkit {
  runner: FfmpegRunner;
  capabilities(): MediaCapabilities;
  hasEncoder(name: string): boolean;
  hasFilter(name: string): boolean;
  /** Throw a 400 that says the local build lacks what the request needs. */
  requireEncoder(name: string, param: string): void;
  requireFilter(name: string, param: string): void;
  /** The working hardware encoder for a codec, if any. */
  hardwareEncoderFor(codec: 'h264' | 'hevc'): HardwareEncoder | undefined;
}

export const VAAPI_DEVICE = '/dev/dri/renderD128';

const HARDWARE_CANDIDATES: HardwareEncoder[] = [
  { encoder: 'h264_nvenc', codec: 'h264', family: 'nvenc' },
  { encoder: 'hevc_nvenc', codec: 'hevc', family: 'nvenc' },
  { encoder: 'h264_qsv', codec: 'h264', family: 'qsv' },
  { encoder: 'hevc_qsv', codec: 'hevc', family: 'qsv' },
  { encoder: 'h264_vaapi', codec: 'h264', family: 'vaapi' },
  { encoder: 'hevc_vaapi', codec: 'hevc', family: 'vaapi' },
];

/** `-encoders` / `-filters` list one per line after a legend: ` V....D libx264  description`. */
export function parseCapabilityList(output: string): string[] {
  const names: string[] = [];
  for (const line of output.split('\n')) {
    const match = /^\s*[A-Z.|]{3,6}\s+([A-Za-z0-9_-]+)\s+\S/u.exec(line);
    if (match?.[1] && match[1] !== '=') names.push(match[1]);
  }
  return names;
}

/** Arguments that encode one tiny generated frame with a hardware encoder: succeeds only if it works. */
export function hardwareTrialArgs(candidate: HardwareEncoder): string[] {
  const upload = candidate.family === 'vaapi' ? ',format=nv12,hwupload' : ',format=nv12';
  return [
    ...(candidate.family === 'vaapi' ? ['-vaapi_device', VAAPI_DEVICE] : []),
    '-filter_complex',
    `color=size=256x256:duration=0.2${upload}`,
    '-frames:v',
    '1',
    '-c:v',
    candidate.encoder,
    '-f',
    'null',
    '-',
  ];
}

export interface CreateMediaToolkitOptions {
  tools: LocatedTools;
  spawn?: SpawnProcess;
  /** Skip trying hardware encoders (tests, or machines known to have none). */
  detectHardware?: boolean;
}

export async function createMediaToolkit(options: CreateMediaToolkitOptions): Promise<MediaToolkit> {
  const runner = createFfmpegRunner({
    ffmpegPath: options.tools.ffmpeg.path,
    ffprobePath: options.tools.ffprobe.path,
    spawn: options.spawn,
  });
  const query = async (flag: string): Promise<string> =>
    (await runner.ffmpeg({ args: [flag], timeoutMs: 15_000 })).stdout;
  const versionOutput = await query('-version');
  const version = /ffmpeg version (\S+)/u.exec(versionOutput)?.[1] ?? 'unknown';
  const encoders = parseCapabilityList(await query('-encoders'));
  const filters = parseCapabilityList(await query('-filters'));
  const hardwareEncoders: HardwareEncoder[] = [];
  if (options.detectHardware !== false) {
    for (const candidate of HARDWARE_CANDIDATES) {
      if (!encoders.includes(candidate.encoder)) continue;
      if (candidate.family === 'vaapi' && !existsSync(VAAPI_DEVICE)) continue;
      try {
        await runner.ffmpeg({ args: hardwareTrialArgs(candidate), timeoutMs: 10_000 });
        hardwareEncoders.push(candidate);
      } catch {
        // Compiled in but no device or driver here: software encoding it is.
      }
    }
  }
  const capabilities: MediaCapabilities = Object.freeze({
    ffmpeg: { path: options.tools.ffmpeg.path, source: options.tools.ffmpeg.source },
    ffprobe: { path: options.tools.ffprobe.path, source: options.tools.ffprobe.source },
    version,
    encoders,
    filters,
    hardwareEncoders,
  });
  return toolkitFrom(runner, capabilities);
}

/** Assemble a toolkit from known capabilities (tests use this with a fake runner). */
export function toolkitFrom(runner: FfmpegRunner, capabilities: MediaCapabilities): MediaToolkit {
  const encoderSet = new Set(capabilities.encoders);
  const filterSet = new Set(capabilities.filters);
  return {
    runner,
    capabilities: () => capabilities,
    hasEncoder: (name) => encoderSet.has(name),
    hasFilter: (name) => filterSet.has(name),
    requireEncoder(name, param) {
      if (!encoderSet.has(name)) {
        throw new InvalidRequestError(
          `This server's FFmpeg build has no '${name}' encoder, so it cannot do this.`,
          param,
          'unsupported_by_build',
        );
      }
    },
    requireFilter(name, param) {
      if (!filterSet.has(name)) {
        throw new InvalidRequestError(
          `This server's FFmpeg build has no '${name}' filter, so it cannot do this.`,
          param,
          'unsupported_by_build',
        );
      }
    },
    hardwareEncoderFor: (codec) =>
      capabilities.hardwareEncoders.find((candidate) => candidate.codec === codec),
  };
}
