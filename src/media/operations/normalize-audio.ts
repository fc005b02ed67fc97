/**
 * normalize-audio: two-pass EBU R128. Pass one measures with loudnorm; pass two applies loudnorm with
 * the measured values in linear mode, so the whole programme gets one gain (no pumping).
 */
import * as z from 'zod';
import { AtelierError } from '../../errors/index.js';
import { filter } from '../filter-escaping.js';
import { audioOf, factsOf, inputAt } from '../input-requirements.js';
import { inputArgs } from '../media-input.js';
import {
  AUDIO_FORMATS,
  AUDIO_ENCODERS,
  FORMATS,
  defaultAudioCodec,
  muxerArgs,
  type OutputFormat,
} from '../media-formats.js';
import { defineOperation } from '../operation.js';

export const normalizeAudioOptions = z.strictObject({
  target_lufs: z.number().min(-70).max(-5).default(-16),
  true_peak: z.number().min(-9).max(0).default(-1.5),
  lra: z.number().min(1).max(50).default(11),
  /** Audio-only output format; inputs with video keep their picture in an mp4. */
  format: z.enum(AUDIO_FORMATS).default('m4a'),
});
export type NormalizeAudioOptions = z.output<typeof normalizeAudioOptions>;

export interface LoudnormMeasurement {
  input_i: string;
  input_tp: string;
  input_lra: string;
  input_thresh: string;
  target_offset: string;
}

const measurementSchema = z.object({
  input_i: z.string(),
  input_tp: z.string(),
  input_lra: z.string(),
  input_thresh: z.string(),
  target_offset: z.string(),
});

/** loudnorm prints its measurement as a JSON object at the end of stderr. */
export function parseLoudnormMeasurement(stderr: string): LoudnormMeasurement {
  const start = stderr.lastIndexOf('{');
  const end = stderr.lastIndexOf('}');
  const parsed =
    start >= 0 && end > start
      ? measurementSchema.safeParse(JSON.parse(stderr.slice(start, end + 1)))
      : undefined;
  if (!parsed?.success || !Number.isFinite(Number(parsed.data.input_i))) {
    throw new AtelierError('The loudness of this input could not be measured (is it silent?).', {
      status: 422,
      kind: 'invalid_request',
      code: 'loudness_unmeasurable',
      param: 'input',
      retryable: false,
    });
  }
  return parsed.data;
}

function targets(options: NormalizeAudioOptions) {
  return { I: options.target_lufs, TP: options.true_peak, LRA: options.lra };
}

export function buildMeasureArgs(options: NormalizeAudioOptions, inputPath: string): string[] {
  const graph = filter('loudnorm', { ...targets(options), print_format: 'json' });
  return [...inputArgs(inputPath), '-map', '0:a:0', '-vn', '-af', graph, '-f', 'null', '-'];
}

export function buildApplyArgs(
  options: NormalizeAudioOptions,
  measured: LoudnormMeasurement,
  input: { path: string; sampleRate: number; hasVideo: boolean },
  outputPath: string,
): string[] {
  const graph = filter('loudnorm', {
    ...targets(options),
    measured_I: measured.input_i,
    measured_TP: measured.input_tp,
    measured_LRA: measured.input_lra,
    measured_thresh: measured.input_thresh,
    offset: measured.target_offset,
    linear: 'true',
  });
  const format: OutputFormat = input.hasVideo ? 'mp4' : options.format;
  const encoder = AUDIO_ENCODERS[defaultAudioCodec(format) as string] as string;
  return [
    ...inputArgs(input.path),
    ...(input.hasVideo ? ['-map', '0:v:0', '-c:v', 'copy'] : ['-vn']),
    '-map',
    '0:a:0',
    '-af',
    graph,
    // loudnorm works at 192 kHz; go back to the input's rate.
    '-ar',
    String(input.sampleRate > 0 ? input.sampleRate : 48000),
    '-c:a',
    encoder,
    ...(encoder === 'aac' ? ['-b:a', '192k'] : []),
    ...muxerArgs(format),
    outputPath,
  ];
}

export const normalizeAudio = defineOperation({
  name: 'normalize-audio',
  schema: normalizeAudioOptions,
  inputs: { min: 1, max: 1 },
  async execute(context) {
    const input = inputAt(context.inputs, 0, 'input');
    const facts = factsOf(input, 'input');
    const audio = audioOf(input, 'input');
    const { stderrTail } = await context.ffmpeg({
      args: buildMeasureArgs(context.options, input.path),
      durationSeconds: facts.durationSeconds,
      span: [0, 0.5],
    });
    const measured = parseLoudnormMeasurement(stderrTail);
    const hasVideo = facts.video !== undefined && !facts.isImage;
    const format: OutputFormat = hasVideo ? 'mp4' : context.options.format;
    const outputPath = context.pathFor(`output.${format}`);
    await context.ffmpeg({
      args: buildApplyArgs(
        context.options,
        measured,
        { path: input.path, sampleRate: audio.sampleRate, hasVideo },
        outputPath,
      ),
      durationSeconds: facts.durationSeconds,
      span: [0.5, 1],
    });
    return {
      outputs: [{ path: outputPath, mimeType: FORMATS[format].mimeType, role: 'primary' }],
      result: {
        measured: {
          integrated_lufs: Number(measured.input_i),
          true_peak: Number(measured.input_tp),
          lra: Number(measured.input_lra),
        },
        target: {
          integrated_lufs: context.options.target_lufs,
          true_peak: context.options.true_peak,
          lra: context.options.lra,
        },
      },
    };
  },
});
