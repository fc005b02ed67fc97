/** hls: VOD HTTP Live Streaming — several renditions from one decode, segment-aligned, with a master playlist. */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import { chain, filter } from '../filter-escaping.js';
import { factsOf, videoOf, inputAt } from '../input-requirements.js';
import { inputArgs } from '../media-input.js';
import { bitrate } from '../option-schemas.js';
import { defineOperation, type OperationOutput } from '../operation.js';

const renditionSchema = z.strictObject({
  height: z.number().int().min(32).max(4320),
  video_bitrate: bitrate,
  audio_bitrate: bitrate.default('128k'),
});
export type Rendition = z.output<typeof renditionSchema>;

export const hlsOptions = z.strictObject({
  /** Default: a ladder of 1080/720/480/360 lines, keeping those not above the input's height. */
  renditions: z.array(renditionSchema).min(1).max(6).optional(),
  segment_seconds: z.number().int().min(1).max(30).default(4),
});
export type HlsOptions = z.output<typeof hlsOptions>;

const LADDER: Rendition[] = [
  { height: 1080, video_bitrate: '5000k', audio_bitrate: '128k' },
  { height: 720, video_bitrate: '2800k', audio_bitrate: '128k' },
  { height: 480, video_bitrate: '1400k', audio_bitrate: '96k' },
  { height: 360, video_bitrate: '800k', audio_bitrate: '96k' },
];

export function defaultRenditions(inputHeight: number): Rendition[] {
  const fitting = LADDER.filter((rendition) => rendition.height <= inputHeight);
  // Small inputs still get two renditions: full size and half size.
  if (fitting.length >= 2) return fitting;
  const even = (value: number) => Math.max(32, Math.round(value / 2) * 2);
  return [
    { height: even(inputHeight), video_bitrate: '800k', audio_bitrate: '96k' },
    { height: even(inputHeight / 2), video_bitrate: '400k', audio_bitrate: '64k' },
  ];
}

export const MASTER_PLAYLIST = 'master.m3u8';

export function buildHlsArgs(
  renditions: Rendition[],
  input: { path: string; hasAudio: boolean; fps: number },
  segmentSeconds: number,
  outputDir: string,
): string[] {
  const labels = renditions.map((_, index) => `split${index}`);
  const statements = [
    chain(['0:v:0'], [filter('split', { outputs: renditions.length })], labels),
    ...renditions.map((rendition, index) =>
      chain(
        [`split${index}`],
        [filter('scale', { w: -2, h: rendition.height }), filter('format', { pix_fmts: 'yuv420p' })],
        [`video${index}`],
      ),
    ),
  ];
  const perRendition = renditions.flatMap((rendition, index) => [
    '-map',
    `[video${index}]`,
    ...(input.hasAudio ? ['-map', '0:a:0'] : []),
    `-b:v:${index}`,
    rendition.video_bitrate,
    ...(input.hasAudio ? [`-b:a:${index}`, rendition.audio_bitrate] : []),
  ]);
  const keyframeInterval = String(Math.max(1, Math.round(input.fps * segmentSeconds)));
  const streamMap = renditions
    .map((_, index) => (input.hasAudio ? `v:${index},a:${index}` : `v:${index}`))
    .join(' ');
  return [
    ...inputArgs(input.path),
    '-filter_complex',
    statements.join(';'),
    ...perRendition,
    ...[
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-g',
      keyframeInterval,
      '-keyint_min',
      keyframeInterval,
      '-sc_threshold',
      '0',
    ],
    ...(input.hasAudio ? ['-c:a', 'aac', '-ac', '2'] : []),
    ...[
      '-f',
      'hls',
      '-hls_time',
      String(segmentSeconds),
      '-hls_playlist_type',
      'vod',
      '-hls_flags',
      'independent_segments',
    ],
    ...['-hls_segment_filename', join(outputDir, 'segment_%v_%03d.ts')],
    ...['-master_pl_name', MASTER_PLAYLIST, '-var_stream_map', streamMap],
    join(outputDir, 'stream_%v.m3u8'),
  ];
}

export const hls = defineOperation({
  name: 'hls',
  schema: hlsOptions,
  inputs: { min: 1, max: 1 },
  async execute(context) {
    const input = inputAt(context.inputs, 0, 'input');
    const facts = factsOf(input, 'input');
    const video = videoOf(input, 'input');
    const renditions = context.options.renditions ?? defaultRenditions(video.height);
    for (const [index, rendition] of renditions.entries()) {
      context.assertPixels(
        Math.round((rendition.height * video.width) / video.height),
        rendition.height,
        `renditions.${index}.height`,
      );
    }
    await context.ffmpeg({
      args: buildHlsArgs(
        renditions,
        { path: input.path, hasAudio: facts.audio !== undefined, fps: video.fps ?? 30 },
        context.options.segment_seconds,
        context.workDir,
      ),
      durationSeconds: facts.durationSeconds,
    });
    const outputs: OperationOutput[] = [
      {
        path: join(context.workDir, MASTER_PLAYLIST),
        mimeType: 'application/vnd.apple.mpegurl',
        role: 'playlist',
        facts: { master: true },
      },
    ];
    for (const name of (await readdir(context.workDir)).sort()) {
      if (/^stream_\d+\.m3u8$/u.test(name)) {
        outputs.push({
          path: join(context.workDir, name),
          mimeType: 'application/vnd.apple.mpegurl',
          role: 'playlist',
        });
      } else if (/^segment_\d+_\d+\.ts$/u.test(name)) {
        outputs.push({ path: join(context.workDir, name), mimeType: 'video/mp2t', role: 'segment' });
      }
    }
    return { outputs, result: { renditions, master_playlist: MASTER_PLAYLIST } };
  },
});
