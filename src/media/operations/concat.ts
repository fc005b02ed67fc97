/**
 * concat: join inputs end to end. Mixed inputs are normalised first (same size, frame rate, pixel format,
 * sample rate and channel layout; silence for inputs without sound), then joined with the concat filter.
 */
import * as z from 'zod';
import { InvalidRequestError } from '../../errors/index.js';
import { commonAudioFormat, MIX_SAMPLE_RATE } from '../audio-chains.js';
import { chain, filter } from '../filter-escaping.js';
import { fitFilters } from '../fit.js';
import { durationOf } from '../input-requirements.js';
import { inputArgs } from '../media-input.js';
import { FORMATS, muxerArgs } from '../media-formats.js';
import { dimension, frameRate } from '../option-schemas.js';
import { defineOperation, type ProbedInput } from '../operation.js';

export const concatOptions = z.strictObject({
  /** Output size; default: the first input's. */
  width: dimension.optional(),
  height: dimension.optional(),
  fps: frameRate.optional(),
  fit: z.enum(['contain', 'cover', 'stretch']).default('contain'),
  format: z.enum(['mp4', 'mkv', 'mov', 'webm']).default('mp4'),
});
export type ConcatOptions = z.output<typeof concatOptions>;

export interface ConcatShape {
  width: number;
  height: number;
  fps: number;
  video: boolean;
}

export function concatShape(options: ConcatOptions, inputs: ProbedInput[]): ConcatShape {
  const withVideo = inputs.filter((input) => input.facts?.video !== undefined);
  if (withVideo.length !== 0 && withVideo.length !== inputs.length) {
    throw new InvalidRequestError('Either every input has video or none does.', 'inputs');
  }
  const first = withVideo[0]?.facts?.video;
  const even = (value: number) => Math.round(value / 2) * 2;
  return {
    width: even(options.width ?? first?.width ?? 0),
    height: even(options.height ?? first?.height ?? 0),
    fps: options.fps ?? first?.fps ?? 30,
    video: first !== undefined,
  };
}

export function buildConcatArgs(
  options: ConcatOptions,
  inputs: ProbedInput[],
  shape: ConcatShape,
  outputPath: string,
): string[] {
  const statements: string[] = [];
  const pairs: string[] = [];
  inputs.forEach((input, index) => {
    if (shape.video) {
      statements.push(
        chain(
          [`${index}:v:0`],
          [
            ...fitFilters(options.fit, shape.width, shape.height),
            filter('fps', { fps: shape.fps }),
            filter('format', { pix_fmts: 'yuv420p' }),
          ],
          [`v${index}`],
        ),
      );
      pairs.push(`v${index}`);
    }
    if (input.facts?.audio !== undefined) {
      statements.push(chain([`${index}:a:0`], commonAudioFormat(), [`a${index}`]));
    } else {
      // A silent stretch as long as the input keeps sound and picture in step.
      statements.push(
        chain(
          [],
          [
            filter('anullsrc', { channel_layout: 'stereo', sample_rate: MIX_SAMPLE_RATE }),
            filter('atrim', { duration: input.facts?.durationSeconds ?? 0 }),
            ...commonAudioFormat(),
          ],
          [`a${index}`],
        ),
      );
    }
    pairs.push(`a${index}`);
  });
  const outputs = shape.video ? ['video', 'audio'] : ['audio'];
  statements.push(
    chain(pairs, [filter('concat', { n: inputs.length, v: shape.video ? 1 : 0, a: 1 })], outputs),
  );
  const webm = options.format === 'webm';
  return [
    ...inputs.flatMap((input) => inputArgs(input.path)),
    '-filter_complex',
    statements.join(';'),
    ...(shape.video
      ? [
          '-map',
          '[video]',
          ...(webm
            ? ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8']
            : ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20']),
        ]
      : []),
    '-map',
    '[audio]',
    '-c:a',
    webm ? 'libopus' : 'aac',
    ...muxerArgs(shape.video ? options.format : 'm4a'),
    outputPath,
  ];
}

export const concat = defineOperation({
  name: 'concat',
  schema: concatOptions,
  inputs: { min: 2, max: 50 },
  async execute(context) {
    const { options, inputs } = context;
    const total = inputs.reduce((sum, input, index) => sum + durationOf(input, `inputs[${index}]`), 0);
    const shape = concatShape(options, inputs);
    if (shape.video) context.assertPixels(shape.width, shape.height, 'width');
    const format = shape.video ? options.format : 'm4a';
    const outputPath = context.pathFor(`output.${format}`);
    await context.ffmpeg({
      args: buildConcatArgs(options, inputs, shape, outputPath),
      durationSeconds: total,
    });
    return {
      outputs: [{ path: outputPath, mimeType: FORMATS[format].mimeType, role: 'primary' }],
      result: {
        width: shape.video ? shape.width : null,
        height: shape.video ? shape.height : null,
        fps: shape.fps,
      },
    };
  },
});
