/**
 * filter: an ordered list of typed picture filters from an allowlist. Each entry becomes filters built
 * from its numbers and enums; text is drawn from a file we write; a watermark is another input file.
 */
import * as z from 'zod';
import { InvalidRequestError } from '../../errors/index.js';
import { chain, filter as ffmpegFilter } from '../filter-escaping.js';
import { factsOf, videoOf } from '../input-requirements.js';
import { inputArgs } from '../media-input.js';
import { FORMATS, muxerArgs } from '../media-formats.js';
import { dimension, overlayText, position, seconds } from '../option-schemas.js';
import { defineOperation } from '../operation.js';
import { drawtextFilter, positionExpressions, textStyleSchema } from '../text-overlay.js';

const unit = (min: number, max: number) => z.number().min(min).max(max);

export const filterStepSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('brightness'), value: unit(-1, 1) }),
  z.strictObject({ type: z.literal('contrast'), value: unit(0, 4) }),
  z.strictObject({ type: z.literal('saturation'), value: unit(0, 3) }),
  z.strictObject({ type: z.literal('hue'), degrees: unit(-360, 360) }),
  z.strictObject({ type: z.literal('blur'), radius: unit(0.5, 50) }),
  z.strictObject({ type: z.literal('sharpen'), amount: unit(0.1, 5).default(1) }),
  z.strictObject({ type: z.literal('denoise'), strength: unit(0.5, 20).default(4) }),
  z.strictObject({ type: z.literal('grayscale') }),
  z.strictObject({ type: z.literal('sepia') }),
  z.strictObject({
    type: z.literal('crop'),
    x: z.number().int().min(0),
    y: z.number().int().min(0),
    width: dimension,
    height: dimension,
  }),
  z.strictObject({ type: z.literal('scale'), width: dimension.optional(), height: dimension.optional() }),
  z.strictObject({
    type: z.literal('rotate'),
    degrees: z.union([z.literal(90), z.literal(180), z.literal(270)]),
  }),
  z.strictObject({ type: z.literal('flip'), direction: z.enum(['horizontal', 'vertical']) }),
  z.strictObject({
    type: z.literal('fade'),
    direction: z.enum(['in', 'out']),
    start: seconds.default(0),
    duration: unit(0.05, 600).default(1),
  }),
  z.strictObject({
    type: z.literal('watermark'),
    /** Which input holds the image (1 = the second input). */
    input: z.number().int().min(1).max(4).default(1),
    position: position.default('bottom-right'),
    /** Watermark width as a share of the video's width. */
    scale: unit(0.01, 1).default(0.15),
    opacity: unit(0, 1).default(0.8),
    margin: z.number().int().min(0).max(2000).default(16),
  }),
  textStyleSchema.extend({
    type: z.literal('text'),
    text: overlayText,
    start: seconds.optional(),
    end: seconds.optional(),
  }),
]);
export type FilterStep = z.output<typeof filterStepSchema>;

export const filterOptions = z.strictObject({
  filters: z.array(filterStepSchema).min(1).max(32),
  format: z.enum(['mp4', 'mkv', 'mov', 'webm']).default('mp4'),
});
export type FilterOptions = z.output<typeof filterOptions>;

/** The per-frame filters of one simple step (not watermark/text, which need more than a chain). */
export function simpleStepFilters(step: Exclude<FilterStep, { type: 'watermark' | 'text' }>): string[] {
  switch (step.type) {
    case 'brightness':
      return [ffmpegFilter('eq', { brightness: step.value })];
    case 'contrast':
      return [ffmpegFilter('eq', { contrast: step.value })];
    case 'saturation':
      return [ffmpegFilter('eq', { saturation: step.value })];
    case 'hue':
      return [ffmpegFilter('hue', { h: step.degrees })];
    case 'blur':
      return [ffmpegFilter('gblur', { sigma: step.radius })];
    case 'sharpen':
      return [ffmpegFilter('unsharp', { luma_msize_x: 5, luma_msize_y: 5, luma_amount: step.amount })];
    case 'denoise':
      return [ffmpegFilter('hqdn3d', { luma_spatial: step.strength })];
    case 'grayscale':
      return [ffmpegFilter('hue', { s: 0 })];
    case 'sepia':
      return [
        ffmpegFilter('colorchannelmixer', {
          rr: 0.393,
          rg: 0.769,
          rb: 0.189,
          gr: 0.349,
          gg: 0.686,
          gb: 0.168,
          br: 0.272,
          bg: 0.534,
          bb: 0.131,
        }),
      ];
    case 'crop':
      return [ffmpegFilter('crop', { w: step.width, h: step.height, x: step.x, y: step.y })];
    case 'scale':
      return [ffmpegFilter('scale', { w: step.width ?? -2, h: step.height ?? -2 })];
    case 'rotate':
      return step.degrees === 180
        ? [ffmpegFilter('hflip'), ffmpegFilter('vflip')]
        : [ffmpegFilter('transpose', { dir: step.degrees === 90 ? 'clock' : 'cclock' })];
    case 'flip':
      return [ffmpegFilter(step.direction === 'horizontal' ? 'hflip' : 'vflip')];
    case 'fade':
      return [ffmpegFilter('fade', { t: step.direction, st: step.start, d: step.duration })];
  }
}

/**
 * Pure: steps → filter_complex statements ending in [video]. `textFiles[i]` is the file we wrote for the
 * i-th text step; `videoWidth` sizes watermarks.
 */
export function buildFilterGraph(steps: FilterStep[], textFiles: string[], videoWidth: number): string {
  const statements: string[] = [];
  let current = '0:v:0';
  let pending: string[] = [];
  let textIndex = 0;
  let labelIndex = 0;
  const flush = (target: string, extra: string[] = []): void => {
    const filters = [...pending, ...extra];
    statements.push(chain([current], filters.length > 0 ? filters : [ffmpegFilter('null')], [target]));
    current = target;
    pending = [];
  };
  for (const step of steps) {
    if (step.type === 'text') {
      const window =
        step.start !== undefined || step.end !== undefined
          ? { start: step.start ?? 0, end: step.end ?? 86_400 }
          : undefined;
      pending.push(drawtextFilter(step, textFiles[textIndex++] as string, window));
    } else if (step.type === 'watermark') {
      flush(`step${labelIndex++}`);
      const mark = `mark${labelIndex}`;
      statements.push(
        chain(
          [`${step.input}:v:0`],
          [
            ffmpegFilter('scale', { w: Math.max(2, Math.round(videoWidth * step.scale)), h: -1 }),
            ffmpegFilter('format', { pix_fmts: 'rgba' }),
            ffmpegFilter('colorchannelmixer', { aa: step.opacity }),
          ],
          [mark],
        ),
      );
      const { x, y } = positionExpressions(step.position, step.margin, {
        frameWidth: 'main_w',
        frameHeight: 'main_h',
        itemWidth: 'overlay_w',
        itemHeight: 'overlay_h',
      });
      const next = `step${labelIndex++}`;
      statements.push(chain([current, mark], [ffmpegFilter('overlay', { x, y })], [next]));
      current = next;
    } else {
      pending.push(...simpleStepFilters(step));
    }
  }
  flush('video', [ffmpegFilter('format', { pix_fmts: 'yuv420p' })]);
  return statements.join(';');
}

export const filterOperation = defineOperation({
  name: 'filter',
  schema: filterOptions,
  inputs: { min: 1, max: 5 },
  async execute(context) {
    const { options, inputs } = context;
    const main = inputs[0];
    const video = videoOf(main, 'inputs[0]');
    const facts = factsOf(main, 'inputs[0]');
    const textFiles: string[] = [];
    for (const [index, step] of options.filters.entries()) {
      if (step.type === 'watermark') {
        const mark = inputs[step.input];
        if (mark === undefined) {
          throw new InvalidRequestError(
            `filters[${index}] uses input ${step.input}, which was not given.`,
            `options.filters.${index}.input`,
          );
        }
        videoOf(mark, `inputs[${step.input}]`);
      }
      if (step.type === 'text') {
        context.toolkit.requireFilter('drawtext', `options.filters.${index}`);
        textFiles.push(await context.writeFile(`text-${index}.txt`, step.text));
      }
      if (
        step.type === 'crop' &&
        (step.x + step.width > video.width || step.y + step.height > video.height)
      ) {
        throw new InvalidRequestError(
          `filters[${index}] crops outside the ${video.width}x${video.height} picture.`,
          `options.filters.${index}`,
        );
      }
      if (step.type === 'scale')
        context.assertPixels(step.width ?? video.width, step.height ?? video.height, `filters.${index}`);
    }
    const outputPath = context.pathFor(`output.${options.format}`);
    const webm = options.format === 'webm';
    const args = [
      ...inputs.flatMap((input, index) =>
        inputArgs(input.path, index > 0 && input.facts?.isImage ? ['-loop', '1'] : []),
      ),
      '-filter_complex',
      buildFilterGraph(options.filters, textFiles, video.width),
      '-map',
      '[video]',
      ...(webm
        ? ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8']
        : ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20']),
      ...(facts.audio ? ['-map', '0:a:0', '-c:a', webm ? 'libopus' : 'aac'] : []),
      // A looped still never ends; the main video decides the length.
      ...(facts.durationSeconds === undefined ? [] : ['-t', facts.durationSeconds.toFixed(3)]),
      ...muxerArgs(options.format),
      outputPath,
    ];
    await context.ffmpeg({ args, durationSeconds: facts.durationSeconds });
    return {
      outputs: [{ path: outputPath, mimeType: FORMATS[options.format].mimeType, role: 'primary' }],
      result: {},
    };
  },
});
