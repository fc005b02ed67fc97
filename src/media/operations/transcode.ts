/** transcode: change container, codecs, size, frame rate and quality; presets for common targets. */
import * as z from 'zod';
import { InvalidRequestError } from '../../errors/index.js';
import { chain, filter } from '../filter-escaping.js';
import { inputArgs } from '../media-input.js';
import type { MediaFacts } from '../media-facts.js';
import {
  AUDIO_ENCODERS,
  FORMATS,
  OUTPUT_FORMATS,
  VIDEO_ENCODERS,
  defaultAudioCodec,
  defaultVideoCodec,
  isAudioFormat,
  muxerArgs,
  type OutputFormat,
} from '../media-formats.js';
import { VAAPI_DEVICE, type MediaToolkit } from '../media-toolkit.js';
import { bitrate, dimension, frameRate, RESOLUTIONS, resolution } from '../option-schemas.js';
import { defineOperation } from '../operation.js';
import { PRESET_NAMES, PRESETS, type PresetValues } from '../presets.js';
import { factsOf, inputAt } from '../input-requirements.js';

export const transcodeOptions = z
  .strictObject({
    preset: z.enum(PRESET_NAMES).optional(),
    format: z.enum(OUTPUT_FORMATS).optional(),
    video_codec: z.enum(['h264', 'hevc', 'vp9', 'av1', 'copy']).optional(),
    audio_codec: z.enum(['aac', 'mp3', 'opus', 'vorbis', 'flac', 'pcm', 'copy']).optional(),
    width: dimension.optional(),
    height: dimension.optional(),
    resolution: resolution.optional(),
    fps: frameRate.optional(),
    crf: z.number().int().min(0).max(63).optional(),
    bitrate: bitrate.optional(),
    audio_bitrate: bitrate.optional(),
    /** `auto` uses a working hardware encoder when there is one; `never` always encodes in software. */
    hardware: z.enum(['auto', 'never']).default('auto'),
  })
  .refine((options) => options.resolution === undefined || (options.width ?? options.height) === undefined, {
    message: 'give either resolution or width/height, not both',
    path: ['resolution'],
  });
export type TranscodeOptions = z.output<typeof transcodeOptions>;

/** Every decision made: which encoders, what size — ready to become arguments. */
export interface TranscodePlan {
  format: OutputFormat;
  video: { encoder: string; hardware?: 'nvenc' | 'qsv' | 'vaapi'; codec: string } | 'copy' | 'none';
  audio: { encoder: string } | 'copy' | 'none';
  size: { width: number; height: number } | undefined;
  fps: number | undefined;
  crf: number | undefined;
  bitrate: string | undefined;
  audioBitrate: string | undefined;
}

function evenize(value: number): number {
  return Math.max(2, Math.round(value / 2) * 2);
}

/** Output size from the options and the input's size; undefined means "keep it". */
export function targetSize(
  options: {
    width?: number;
    height?: number;
    resolution?: keyof typeof RESOLUTIONS;
    max_width?: number;
    max_height?: number;
  },
  source: { width: number; height: number },
): { width: number; height: number } | undefined {
  const aspect = source.width / source.height;
  if (options.width !== undefined && options.height !== undefined) {
    return { width: evenize(options.width), height: evenize(options.height) };
  }
  const width =
    options.width ??
    (options.max_width !== undefined && source.width > options.max_width ? options.max_width : undefined);
  if (width !== undefined) return { width: evenize(width), height: evenize(width / aspect) };
  const height =
    options.height ??
    (options.resolution === undefined ? undefined : RESOLUTIONS[options.resolution]) ??
    (options.max_height !== undefined && source.height > options.max_height ? options.max_height : undefined);
  return height === undefined ? undefined : { width: evenize(height * aspect), height: evenize(height) };
}

export function planTranscode(
  options: TranscodeOptions,
  facts: MediaFacts,
  toolkit: MediaToolkit,
): TranscodePlan {
  const preset: Partial<PresetValues> = options.preset === undefined ? {} : PRESETS[options.preset];
  const format = options.format ?? preset.format ?? (facts.video === undefined ? 'm4a' : 'mp4');
  const info = FORMATS[format];
  const wantsVideo = !isAudioFormat(format) && facts.video !== undefined;
  const wantsAudio = info.audioCodecs.length > 0 && facts.audio !== undefined;
  const resizing =
    options.width !== undefined ||
    options.height !== undefined ||
    options.resolution !== undefined ||
    options.fps !== undefined;

  let video: TranscodePlan['video'] = 'none';
  if (wantsVideo) {
    const codec =
      options.video_codec ?? (format === 'gif' ? 'gif' : (preset.video_codec ?? defaultVideoCodec(format)));
    if (codec === 'copy') {
      if (resizing)
        throw new InvalidRequestError(
          'video_codec "copy" cannot resize or change the frame rate.',
          'video_codec',
        );
      video = 'copy';
    } else {
      if (codec === undefined || !info.videoCodecs.includes(codec)) {
        throw new InvalidRequestError(
          `A ${format} file cannot hold ${codec} video; use one of ${info.videoCodecs.join(', ')}.`,
          'video_codec',
        );
      }
      const hardware =
        options.hardware === 'auto' && (codec === 'h264' || codec === 'hevc')
          ? toolkit.hardwareEncoderFor(codec)
          : undefined;
      if (hardware) {
        video = { encoder: hardware.encoder, hardware: hardware.family, codec };
      } else {
        const encoder = VIDEO_ENCODERS[codec] as string;
        toolkit.requireEncoder(encoder, 'video_codec');
        video = { encoder, codec };
      }
    }
  } else if (options.video_codec !== undefined && options.video_codec !== 'copy' && isAudioFormat(format)) {
    throw new InvalidRequestError(`${format} is an audio format; it cannot hold video.`, 'video_codec');
  }

  let audio: TranscodePlan['audio'] = 'none';
  if (wantsAudio) {
    const codec = options.audio_codec ?? preset.audio_codec ?? defaultAudioCodec(format);
    if (codec === 'copy') {
      audio = 'copy';
    } else {
      if (codec === undefined || !info.audioCodecs.includes(codec)) {
        throw new InvalidRequestError(
          `A ${format} file cannot hold ${codec} audio; use one of ${info.audioCodecs.join(', ')}.`,
          'audio_codec',
        );
      }
      const encoder = AUDIO_ENCODERS[codec] as string;
      toolkit.requireEncoder(encoder, 'audio_codec');
      audio = { encoder };
    }
  }
  if (!wantsVideo && !wantsAudio) {
    throw new InvalidRequestError(`The input has nothing a ${format} file can hold.`, 'format');
  }

  return {
    format,
    video,
    audio,
    size:
      wantsVideo && facts.video
        ? targetSize({ ...options, max_height: preset.max_height, max_width: preset.max_width }, facts.video)
        : undefined,
    fps: options.fps ?? preset.fps,
    crf: options.crf ?? preset.crf,
    bitrate: options.bitrate,
    audioBitrate: options.audio_bitrate ?? preset.audio_bitrate,
  };
}

function qualityArgs(plan: TranscodePlan, video: { encoder: string; hardware?: string }): string[] {
  const args: string[] = [];
  if (plan.crf !== undefined) {
    if (video.hardware === 'nvenc') args.push('-cq', String(plan.crf));
    else if (video.hardware === 'qsv') args.push('-global_quality', String(plan.crf));
    else if (video.hardware === 'vaapi') args.push('-qp', String(plan.crf));
    else if (video.encoder !== 'gif') args.push('-crf', String(plan.crf));
  }
  if (plan.bitrate !== undefined) args.push('-b:v', plan.bitrate);
  // libvpx needs b:v 0 to treat crf as constant quality rather than a cap.
  else if (video.encoder === 'libvpx-vp9' && plan.crf !== undefined) args.push('-b:v', '0');
  if (video.encoder === 'libx264' || video.encoder === 'libx265') args.push('-preset', 'veryfast');
  if (video.encoder === 'libsvtav1') args.push('-preset', '10');
  if (video.encoder === 'libvpx-vp9') args.push('-deadline', 'realtime', '-cpu-used', '8', '-row-mt', '1');
  return args;
}

/** Pure: the plan and paths → FFmpeg arguments. */
export function buildTranscodeArgs(plan: TranscodePlan, inputPath: string, outputPath: string): string[] {
  const args = inputArgs(inputPath);
  const video = plan.video;
  if (video !== 'none' && video !== 'copy') {
    const filters = [
      ...(plan.fps !== undefined ? [filter('fps', { fps: plan.fps })] : []),
      ...(plan.size ? [filter('scale', { w: plan.size.width, h: plan.size.height, flags: 'lanczos' })] : []),
    ];
    if (video.encoder === 'gif') {
      // Two-branch palette: one global palette from the whole clip gives clean GIF colours.
      const graph = [
        chain(['0:v'], [...filters, filter('split')], ['frames', 'palette_source']),
        chain(['palette_source'], [filter('palettegen')], ['palette']),
        chain(['frames', 'palette'], [filter('paletteuse')], ['video']),
      ].join(';');
      args.push('-filter_complex', graph, '-map', '[video]');
    } else {
      if (video.hardware === 'vaapi') args.unshift('-vaapi_device', VAAPI_DEVICE);
      const pixelFormat = video.hardware === undefined ? [filter('format', { pix_fmts: 'yuv420p' })] : [];
      const upload =
        video.hardware === 'vaapi' ? [filter('format', { pix_fmts: 'nv12' }), filter('hwupload')] : [];
      args.push(
        '-filter_complex',
        chain(['0:v:0'], [...filters, ...pixelFormat, ...upload], ['video']),
        '-map',
        '[video]',
      );
    }
    args.push('-c:v', video.encoder, ...qualityArgs(plan, video));
  } else if (video === 'copy') {
    args.push('-map', '0:v:0', '-c:v', 'copy');
  } else {
    args.push('-vn');
  }
  if (plan.audio === 'none') {
    args.push('-an');
  } else {
    args.push('-map', '0:a:0', '-c:a', plan.audio === 'copy' ? 'copy' : plan.audio.encoder);
    if (plan.audioBitrate !== undefined && plan.audio !== 'copy') args.push('-b:a', plan.audioBitrate);
  }
  args.push('-sn', '-dn', ...muxerArgs(plan.format), outputPath);
  return args;
}

export const transcode = defineOperation({
  name: 'transcode',
  schema: transcodeOptions,
  inputs: { min: 1, max: 1 },
  async execute(context) {
    const input = inputAt(context.inputs, 0, 'input');
    const facts = factsOf(input, 'input');
    const plan = planTranscode(context.options, facts, context.toolkit);
    if (plan.size) context.assertPixels(plan.size.width, plan.size.height, 'width');
    const outputPath = context.pathFor(`output.${plan.format}`);
    await context.ffmpeg({
      args: buildTranscodeArgs(plan, input.path, outputPath),
      durationSeconds: facts.durationSeconds,
    });
    return {
      outputs: [{ path: outputPath, mimeType: FORMATS[plan.format].mimeType, role: 'primary' }],
      result: {
        format: plan.format,
        video_encoder: typeof plan.video === 'object' ? plan.video.encoder : plan.video,
        audio_encoder: typeof plan.audio === 'object' ? plan.audio.encoder : plan.audio,
      },
    };
  },
});
