/**
 * Probe a local media file with ffprobe (and, on request, measure loudness with ebur128) into MediaFacts.
 */
import * as z from 'zod';
import { InvalidRequestError } from '../errors/index.js';
import type { FfmpegRunner } from './ffmpeg-runner.js';
import type { LoudnessFacts, MediaFacts, SubtitleFacts } from './media-facts.js';
import { inputArgs } from './media-input.js';

const optionalNumber = z
  .union([z.string(), z.number()])
  .optional()
  .transform((value) => {
    const parsed = Number(value);
    return value === undefined || value === 'N/A' || !Number.isFinite(parsed) ? undefined : parsed;
  });

const streamSchema = z.object({
  codec_type: z.string().optional(),
  codec_name: z.string().default('unknown'),
  width: z.number().optional(),
  height: z.number().optional(),
  avg_frame_rate: z.string().optional(),
  r_frame_rate: z.string().optional(),
  pix_fmt: z.string().optional(),
  bit_rate: optionalNumber,
  sample_rate: optionalNumber,
  channels: z.number().optional(),
  channel_layout: z.string().optional(),
  duration: optionalNumber,
  nb_frames: optionalNumber,
  disposition: z.object({ attached_pic: z.number().optional() }).partial().optional(),
  tags: z.record(z.string(), z.string()).optional(),
});

const probeSchema = z.object({
  streams: z.array(streamSchema).default([]),
  format: z
    .object({
      format_name: z.string().default('unknown'),
      duration: optionalNumber,
      size: optionalNumber,
      bit_rate: optionalNumber,
    })
    .default({ format_name: 'unknown', duration: undefined, size: undefined, bit_rate: undefined }),
});

const IMAGE_CONTAINERS = ['image2', 'png_pipe', 'jpeg_pipe', 'webp_pipe', 'bmp_pipe'];

function frameRate(text: string | undefined): number | undefined {
  const [numerator, denominator] = (text ?? '').split('/').map(Number);
  if (!numerator || !denominator) return undefined;
  return numerator / denominator;
}

/** Turn ffprobe's `-show_format -show_streams -of json` output into MediaFacts. */
export function factsFromProbeJson(json: string): MediaFacts {
  const probe = probeSchema.parse(JSON.parse(json));
  const video = probe.streams.find(
    (stream) => stream.codec_type === 'video' && stream.disposition?.attached_pic !== 1,
  );
  const audio = probe.streams.find((stream) => stream.codec_type === 'audio');
  const subtitles: SubtitleFacts[] = probe.streams
    .filter((stream) => stream.codec_type === 'subtitle')
    .map((stream, index) => ({ index, codec: stream.codec_name, language: stream.tags?.language }));
  const isImage = IMAGE_CONTAINERS.includes(probe.format.format_name) && audio === undefined;
  return {
    container: probe.format.format_name,
    durationSeconds: isImage ? undefined : (probe.format.duration ?? video?.duration ?? audio?.duration),
    bytes: probe.format.size,
    bitRate: probe.format.bit_rate,
    isImage,
    video:
      video?.width !== undefined && video.height !== undefined
        ? {
            codec: video.codec_name,
            width: video.width,
            height: video.height,
            fps: frameRate(video.avg_frame_rate) ?? frameRate(video.r_frame_rate),
            pixelFormat: video.pix_fmt,
            bitRate: video.bit_rate,
          }
        : undefined,
    audio:
      audio !== undefined
        ? {
            codec: audio.codec_name,
            sampleRate: audio.sample_rate ?? 0,
            channels: audio.channels ?? 0,
            channelLayout: audio.channel_layout,
            bitRate: audio.bit_rate,
          }
        : undefined,
    subtitles,
    streamCount: probe.streams.length,
  };
}

/** Read the summary ebur128 prints at the end of a run. */
export function parseEbur128Summary(stderr: string): LoudnessFacts | undefined {
  const summary = stderr.slice(stderr.lastIndexOf('Summary:'));
  const integrated = /I:\s+(-?[\d.]+|-inf) LUFS/u.exec(summary)?.[1];
  const range = /LRA:\s+(-?[\d.]+) LU/u.exec(summary)?.[1];
  const peak = /Peak:\s+(-?[\d.]+|-inf) dBFS/u.exec(summary)?.[1];
  if (integrated === undefined || range === undefined) return undefined;
  const toNumber = (value: string | undefined): number =>
    value === undefined || value === '-inf' ? Number.NEGATIVE_INFINITY : Number(value);
  return {
    integratedLufs: toNumber(integrated),
    truePeakDbtp: toNumber(peak),
    loudnessRangeLu: toNumber(range),
  };
}

export interface ProbeOptions {
  signal?: AbortSignal;
  loudness?: boolean;
  timeoutMs?: number;
  /** The request field to blame when the file is not media. */
  param?: string;
}

export async function probeMedia(
  runner: FfmpegRunner,
  path: string,
  options: ProbeOptions = {},
): Promise<MediaFacts> {
  let stdout: string;
  try {
    ({ stdout } = await runner.ffprobe({
      args: ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', ...inputArgs(path)],
      signal: options.signal,
      timeoutMs: options.timeoutMs ?? 30_000,
    }));
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new InvalidRequestError(
      'This input is not a media file FFmpeg can read (or its format is not allowed).',
      options.param ?? 'input',
      'unsupported_input',
    );
  }
  const facts = factsFromProbeJson(stdout);
  if (options.loudness === true && facts.audio !== undefined) {
    const { stderrTail } = await runner.ffmpeg({
      args: [...inputArgs(path), '-map', '0:a:0', '-af', 'ebur128=peak=true', '-f', 'null', '-'],
      signal: options.signal,
      timeoutMs: options.timeoutMs,
      durationSeconds: facts.durationSeconds,
    });
    facts.loudness = parseEbur128Summary(stderrTail);
  }
  return facts;
}
