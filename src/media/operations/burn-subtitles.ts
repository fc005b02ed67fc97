/**
 * burn-subtitles: draw a subtitle file (SRT, VTT or ASS) onto the picture. The file is parsed and rewritten
 * as a clean SRT of ours; the look comes only from typed options, turned into libass `force_style`.
 */
import { readFile, stat } from 'node:fs/promises';
import * as z from 'zod';
import { InvalidRequestError } from '../../errors/index.js';
import { chain, filter } from '../filter-escaping.js';
import { factsOf, inputAt, videoOf } from '../input-requirements.js';
import { inputArgs } from '../media-input.js';
import { FORMATS, muxerArgs } from '../media-formats.js';
import { fontName, hexColor } from '../option-schemas.js';
import { defineOperation } from '../operation.js';
import { parseSubtitles, writeSrt } from '../subtitle-format.js';

export const burnSubtitlesOptions = z.strictObject({
  font: fontName.default('DejaVu Sans'),
  /** In libass points on a 288-line canvas, scaled to the video's height. */
  size: z.number().int().min(4).max(200).default(18),
  color: hexColor.default('#ffffff'),
  outline_color: hexColor.default('#000000'),
  outline_width: z.number().min(0).max(10).default(1.5),
  bold: z.boolean().default(false),
  position: z.enum(['bottom', 'center', 'top']).default('bottom'),
  margin: z.number().int().min(0).max(500).default(16),
  format: z.enum(['mp4', 'mkv', 'webm', 'mov']).default('mp4'),
});
export type BurnSubtitlesOptions = z.output<typeof burnSubtitlesOptions>;

/** `#rrggbb[aa]` → ASS `&HAABBGGRR` (ASS alpha counts transparency, so it is inverted). */
export function assColor(hex: string): string {
  const [red, green, blue] = [hex.slice(1, 3), hex.slice(3, 5), hex.slice(5, 7)];
  const opacity = hex.length === 9 ? Number.parseInt(hex.slice(7, 9), 16) : 255;
  const alpha = (255 - opacity).toString(16).padStart(2, '0');
  return `&H${alpha}${blue}${green}${red}`.toUpperCase();
}

const MAX_SUBTITLE_BYTES = 5 * 1024 * 1024;

const ALIGNMENT = { bottom: 2, center: 5, top: 8 } as const;

export function forceStyle(options: BurnSubtitlesOptions): string {
  return [
    `FontName=${options.font}`,
    `FontSize=${options.size}`,
    `PrimaryColour=${assColor(options.color)}`,
    `OutlineColour=${assColor(options.outline_color)}`,
    `Outline=${options.outline_width}`,
    'BorderStyle=1',
    `Bold=${options.bold ? -1 : 0}`,
    `Alignment=${ALIGNMENT[options.position]}`,
    `MarginV=${options.margin}`,
  ].join(',');
}

export function buildBurnSubtitlesArgs(
  options: BurnSubtitlesOptions,
  inputPath: string,
  cleanSubtitlePath: string,
  hasAudio: boolean,
  outputPath: string,
): string[] {
  const graph = chain(
    ['0:v:0'],
    [
      filter('subtitles', { filename: cleanSubtitlePath, force_style: forceStyle(options) }),
      filter('format', { pix_fmts: 'yuv420p' }),
    ],
    ['video'],
  );
  const videoEncoder =
    options.format === 'webm'
      ? ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8']
      : ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20'];
  return [
    ...inputArgs(inputPath),
    '-filter_complex',
    graph,
    '-map',
    '[video]',
    ...videoEncoder,
    ...(hasAudio ? ['-map', '0:a:0', '-c:a', options.format === 'webm' ? 'libopus' : 'aac'] : []),
    ...muxerArgs(options.format),
    outputPath,
  ];
}

async function readSubtitleText(path: string): Promise<string> {
  const unreadable = () =>
    new InvalidRequestError('The subtitle file could not be read as text.', 'inputs[1]', 'invalid_subtitles');
  const { size } = await stat(path).catch(() => {
    throw unreadable();
  });
  if (size > MAX_SUBTITLE_BYTES) {
    throw new InvalidRequestError('The subtitle file is larger than 5 MB.', 'inputs[1]', 'invalid_subtitles');
  }
  return readFile(path, 'utf8').catch(() => {
    throw unreadable();
  });
}

export const burnSubtitles = defineOperation({
  name: 'burn-subtitles',
  schema: burnSubtitlesOptions,
  inputs: { min: 2, max: 2, kindOf: (index) => (index === 1 ? 'subtitle' : 'media') },
  async execute(context) {
    const video = inputAt(context.inputs, 0, 'inputs[0]');
    const subtitles = inputAt(context.inputs, 1, 'inputs[1]');
    videoOf(video, 'inputs[0]');
    context.toolkit.requireFilter('subtitles', 'inputs[1]');
    const content = await readSubtitleText(subtitles.path);
    const cleanPath = await context.writeFile(
      'subtitles.srt',
      writeSrt(parseSubtitles(content, 'inputs[1]')),
    );
    const facts = factsOf(video, 'inputs[0]');
    const outputPath = context.pathFor(`output.${context.options.format}`);
    await context.ffmpeg({
      args: buildBurnSubtitlesArgs(
        context.options,
        video.path,
        cleanPath,
        facts.audio !== undefined,
        outputPath,
      ),
      durationSeconds: facts.durationSeconds,
    });
    return {
      outputs: [{ path: outputPath, mimeType: FORMATS[context.options.format].mimeType, role: 'primary' }],
      result: {},
    };
  },
});
