/** extract-audio: the first audio track on its own, in the chosen audio format. */
import * as z from 'zod';
import { audioOf, factsOf, inputAt } from '../input-requirements.js';
import { inputArgs } from '../media-input.js';
import {
  AUDIO_ENCODERS,
  AUDIO_FORMATS,
  FORMATS,
  defaultAudioCodec,
  muxerArgs,
  type AudioFormat,
} from '../media-formats.js';
import { bitrate } from '../option-schemas.js';
import { defineOperation } from '../operation.js';

export const extractAudioOptions = z.strictObject({
  format: z.enum(AUDIO_FORMATS).default('m4a'),
  bitrate: bitrate.optional(),
  sample_rate: z.number().int().min(8000).max(192000).optional(),
  channels: z.number().int().min(1).max(8).optional(),
});
export type ExtractAudioOptions = z.output<typeof extractAudioOptions>;

export function buildExtractAudioArgs(
  options: ExtractAudioOptions,
  inputPath: string,
  outputPath: string,
): string[] {
  const format: AudioFormat = options.format;
  const encoder = AUDIO_ENCODERS[defaultAudioCodec(format) as string] as string;
  return [
    ...inputArgs(inputPath),
    '-map',
    '0:a:0',
    '-vn',
    '-sn',
    '-c:a',
    encoder,
    ...(options.bitrate === undefined ? [] : ['-b:a', options.bitrate]),
    ...(options.sample_rate === undefined ? [] : ['-ar', String(options.sample_rate)]),
    ...(options.channels === undefined ? [] : ['-ac', String(options.channels)]),
    ...muxerArgs(format),
    outputPath,
  ];
}

export const extractAudio = defineOperation({
  name: 'extract-audio',
  schema: extractAudioOptions,
  inputs: { min: 1, max: 1 },
  async execute(context) {
    const input = inputAt(context.inputs, 0, 'input');
    audioOf(input, 'input');
    const format = context.options.format;
    context.toolkit.requireEncoder(
      AUDIO_ENCODERS[defaultAudioCodec(format) as string] as string,
      'options.format',
    );
    const outputPath = context.pathFor(`output.${format}`);
    await context.ffmpeg({
      args: buildExtractAudioArgs(context.options, input.path, outputPath),
      durationSeconds: factsOf(input, 'input').durationSeconds,
    });
    return {
      outputs: [{ path: outputPath, mimeType: FORMATS[format].mimeType, role: 'primary' }],
      result: {},
    };
  },
});
