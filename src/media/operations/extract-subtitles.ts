/** extract-subtitles: one text subtitle track out of a container, as SRT, WebVTT or ASS. */
import * as z from 'zod';
import { InvalidRequestError } from '../../errors/index.js';
import { factsOf, inputAt } from '../input-requirements.js';
import { inputArgs } from '../media-input.js';
import { defineOperation } from '../operation.js';

export const extractSubtitlesOptions = z.strictObject({
  /** Which subtitle track, counting subtitle tracks only, from 0. */
  track: z.number().int().min(0).max(99).default(0),
  format: z.enum(['srt', 'vtt', 'ass']).default('srt'),
});

const WRITERS = {
  srt: { codec: 'srt', muxer: 'srt', mimeType: 'application/x-subrip' },
  vtt: { codec: 'webvtt', muxer: 'webvtt', mimeType: 'text/vtt' },
  ass: { codec: 'ass', muxer: 'ass', mimeType: 'text/x-ssa' },
} as const;

/** Subtitle codecs that are pictures, not text: they cannot become SRT/VTT/ASS. */
const BITMAP_CODECS = ['hdmv_pgs_subtitle', 'dvd_subtitle', 'dvb_subtitle', 'xsub'];

export function buildExtractSubtitlesArgs(
  track: number,
  format: keyof typeof WRITERS,
  inputPath: string,
  outputPath: string,
): string[] {
  const writer = WRITERS[format];
  return [
    ...inputArgs(inputPath),
    '-map',
    `0:s:${track}`,
    '-c:s',
    writer.codec,
    '-f',
    writer.muxer,
    outputPath,
  ];
}

export const extractSubtitles = defineOperation({
  name: 'extract-subtitles',
  schema: extractSubtitlesOptions,
  inputs: { min: 1, max: 1 },
  async execute(context) {
    const input = inputAt(context.inputs, 0, 'input');
    const facts = factsOf(input, 'input');
    const { track, format } = context.options;
    const stream = facts.subtitles[track];
    if (stream === undefined) {
      throw new InvalidRequestError(
        `The input has ${facts.subtitles.length} subtitle track(s); there is no track ${track}.`,
        'options.track',
        'no_subtitle_stream',
      );
    }
    if (BITMAP_CODECS.includes(stream.codec)) {
      throw new InvalidRequestError(
        `Track ${track} holds picture subtitles (${stream.codec}), which cannot become text.`,
        'options.track',
      );
    }
    const outputPath = context.pathFor(`subtitles.${format}`);
    await context.ffmpeg({
      args: buildExtractSubtitlesArgs(track, format, input.path, outputPath),
      durationSeconds: facts.durationSeconds,
    });
    return {
      outputs: [
        {
          path: outputPath,
          mimeType: WRITERS[format].mimeType,
          role: 'subtitle',
          facts: { codec: stream.codec, language: stream.language },
        },
      ],
      result: { track, language: stream.language ?? null },
    };
  },
});
