/** mix-audio: several tracks into one, each with its own volume, fades and delay; music ducked under voice. */
import * as z from 'zod';
import { InvalidRequestError } from '../../errors/index.js';
import {
  DEFAULT_DUCKING,
  buildMixGraph,
  commonAudioFormat,
  shapeTrack,
  type MixGroups,
} from '../audio-chains.js';
import { chain } from '../filter-escaping.js';
import { audioOf } from '../input-requirements.js';
import { inputArgs } from '../media-input.js';
import { AUDIO_ENCODERS, AUDIO_FORMATS, FORMATS, defaultAudioCodec, muxerArgs } from '../media-formats.js';
import { seconds } from '../option-schemas.js';
import { defineOperation, type ProbedInput } from '../operation.js';

const trackSchema = z.strictObject({
  role: z.enum(['voice', 'music', 'effect']).default('effect'),
  volume_db: z.number().min(-60).max(24).default(0),
  fade_in: seconds.max(600).default(0),
  fade_out: seconds.max(600).default(0),
  /** Start this track this many seconds into the mix. */
  delay: seconds.default(0),
});

export const mixAudioOptions = z.strictObject({
  /** One entry per input, in order; missing entries use the defaults. */
  tracks: z.array(trackSchema).max(16).default([]),
  /** Push music down while a voice track speaks. */
  ducking: z
    .union([
      z.boolean(),
      z.strictObject({
        threshold: z.number().min(0.001).max(1).default(DEFAULT_DUCKING.threshold),
        ratio: z.number().min(1).max(20).default(DEFAULT_DUCKING.ratio),
        attack_ms: z.number().min(0.01).max(2000).default(DEFAULT_DUCKING.attack_ms),
        release_ms: z.number().min(0.01).max(9000).default(DEFAULT_DUCKING.release_ms),
      }),
    ])
    .default(true),
  duration: z.enum(['longest', 'shortest', 'first']).default('longest'),
  format: z.enum(AUDIO_FORMATS).default('m4a'),
});
export type MixAudioOptions = z.output<typeof mixAudioOptions>;

export function buildMixAudioArgs(
  options: MixAudioOptions,
  inputs: ProbedInput[],
  outputPath: string,
): string[] {
  const statements: string[] = [];
  const groups: MixGroups = { voice: [], music: [], other: [] };
  inputs.forEach((input, index) => {
    const track = trackSchema.parse(options.tracks[index] ?? {});
    const label = `track${index}`;
    statements.push(
      chain(
        [`${index}:a:0`],
        [
          ...commonAudioFormat(),
          ...shapeTrack({
            volumeDb: track.volume_db,
            fadeIn: track.fade_in,
            fadeOut: track.fade_out,
            length: input.facts?.durationSeconds,
            delay: track.delay,
          }),
        ],
        [label],
      ),
    );
    (track.role === 'voice' ? groups.voice : track.role === 'music' ? groups.music : groups.other).push(
      label,
    );
  });
  const ducking =
    options.ducking === false ? undefined : options.ducking === true ? DEFAULT_DUCKING : options.ducking;
  statements.push(...buildMixGraph(groups, ducking, options.duration, 'mix'));
  const encoder = AUDIO_ENCODERS[defaultAudioCodec(options.format) as string] as string;
  return [
    ...inputs.flatMap((input) => inputArgs(input.path)),
    '-filter_complex',
    statements.join(';'),
    '-map',
    '[mix]',
    '-c:a',
    encoder,
    ...muxerArgs(options.format),
    outputPath,
  ];
}

export const mixAudio = defineOperation({
  name: 'mix-audio',
  schema: mixAudioOptions,
  inputs: { min: 1, max: 16 },
  async execute(context) {
    const { options, inputs } = context;
    if (options.tracks.length > inputs.length) {
      throw new InvalidRequestError(
        `tracks has ${options.tracks.length} entries for ${inputs.length} inputs.`,
        'options.tracks',
      );
    }
    inputs.forEach((input, index) => audioOf(input, `inputs[${index}]`));
    const outputPath = context.pathFor(`output.${options.format}`);
    const lengths = inputs.map(
      (input, index) => (input.facts?.durationSeconds ?? 0) + (options.tracks[index]?.delay ?? 0),
    );
    await context.ffmpeg({
      args: buildMixAudioArgs(options, inputs, outputPath),
      durationSeconds: Math.max(...lengths),
    });
    return {
      outputs: [{ path: outputPath, mimeType: FORMATS[options.format].mimeType, role: 'primary' }],
      result: {},
    };
  },
});
