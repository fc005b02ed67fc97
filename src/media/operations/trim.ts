/** trim: keep [start, end) of one input; frame-accurate re-encode, or a fast keyframe cut with `copy`. */
import * as z from 'zod';
import { InvalidRequestError } from '../../errors/index.js';
import { durationOf, factsOf, inputAt } from '../input-requirements.js';
import { inputArgs } from '../media-input.js';
import { FORMATS, muxerArgs, type OutputFormat } from '../media-formats.js';
import type { MediaFacts } from '../media-facts.js';
import { positiveSeconds, seconds } from '../option-schemas.js';
import { defineOperation } from '../operation.js';

export const trimOptions = z
  .strictObject({
    start: seconds.default(0),
    end: positiveSeconds.optional(),
    duration: positiveSeconds.optional(),
    /** `accurate` re-encodes for frame-exact cuts; `copy` is instant but cuts on keyframes. */
    mode: z.enum(['accurate', 'copy']).default('accurate'),
  })
  .refine((options) => (options.end === undefined) !== (options.duration === undefined), {
    message: 'give exactly one of end or duration',
    path: ['end'],
  })
  .refine((options) => options.end === undefined || options.end > options.start, {
    message: 'end must be after start',
    path: ['end'],
  });
export type TrimOptions = z.output<typeof trimOptions>;

/** Keep the input's kind of container: video → mp4, audio-only → m4a. */
export function naturalFormat(facts: MediaFacts): OutputFormat {
  return facts.video === undefined ? 'm4a' : 'mp4';
}

export function buildTrimArgs(
  options: TrimOptions,
  facts: MediaFacts,
  inputPath: string,
  outputPath: string,
): string[] {
  const length = options.duration ?? (options.end as number) - options.start;
  const codecs =
    options.mode === 'copy'
      ? ['-c', 'copy']
      : [
          ...(facts.video
            ? ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p']
            : []),
          ...(facts.audio ? ['-c:a', 'aac', '-b:a', '192k'] : []),
        ];
  return [
    ...inputArgs(inputPath, ['-ss', options.start.toFixed(3)]),
    '-t',
    length.toFixed(3),
    '-map',
    '0:v:0?',
    '-map',
    '0:a:0?',
    ...codecs,
    ...muxerArgs(naturalFormat(facts)),
    outputPath,
  ];
}

export const trim = defineOperation({
  name: 'trim',
  schema: trimOptions,
  inputs: { min: 1, max: 1 },
  async execute(context) {
    const input = inputAt(context.inputs, 0, 'input');
    const facts = factsOf(input, 'input');
    const duration = durationOf(input, 'input');
    if (context.options.start >= duration) {
      throw new InvalidRequestError(
        `start is past the end of the input (${duration.toFixed(2)} s).`,
        'options.start',
      );
    }
    const format = naturalFormat(facts);
    const outputPath = context.pathFor(`output.${format}`);
    const length = Math.min(
      context.options.duration ?? (context.options.end as number) - context.options.start,
      duration,
    );
    await context.ffmpeg({
      args: buildTrimArgs(context.options, facts, input.path, outputPath),
      durationSeconds: length,
    });
    return {
      outputs: [{ path: outputPath, mimeType: FORMATS[format].mimeType, role: 'primary' }],
      result: {},
    };
  },
});
