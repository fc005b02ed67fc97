/**
 * Compiles a compose timeline into one FFmpeg run: one input per clip (seeked and cut at the input, so
 * only the frames used are decoded) and one filter graph. Pure: timeline + probed inputs → arguments.
 *
 * Visual tracks become one full-length stream each: clips fitted to the frame, gaps filled with the
 * background (base track) or transparency (upper tracks), crossfades by xfade. Upper tracks are overlaid
 * on the base, captions drawn last; audio clips are shaped, mixed and music ducked under narration.
 */
import { InvalidRequestError } from '../errors/index.js';
import {
  DEFAULT_DUCKING,
  buildMixGraph,
  commonAudioFormat,
  shapeTrack,
  MIX_SAMPLE_RATE,
  type MixGroups,
} from './audio-chains.js';
import { chain, filter } from './filter-escaping.js';
import { fitFilters } from './fit.js';
import { inputArgs } from './media-input.js';
import { muxerArgs } from './media-formats.js';
import { ffmpegColor } from './option-schemas.js';
import type { ProbedInput } from './operation.js';
import { drawtextFilter } from './text-overlay.js';
import type { AudioClip, Timeline, VisualClip } from './timeline-schema.js';

/** Timing slack when checking that a crossfade overlaps its predecessor exactly. */
const EPSILON = 0.002;

export interface CompiledTimeline {
  args: string[];
  durationSeconds: number;
}

interface Frame {
  width: number;
  height: number;
  fps: number;
}

function clipParam(track: number, clip: number, field: string): string {
  return `options.tracks.${track}.clips.${clip}.${field}`;
}

function audioClipLength(clip: AudioClip, input: ProbedInput): number | undefined {
  const available =
    input.facts?.durationSeconds === undefined ? undefined : input.facts.durationSeconds - clip.trim_start;
  return clip.length ?? available;
}

/** Where the timeline ends when the output does not say: the end of its last clip. */
export function timelineDuration(timeline: Timeline, inputs: ProbedInput[]): number {
  if (timeline.output.duration !== undefined) return timeline.output.duration;
  let end = 0;
  for (const track of timeline.tracks) {
    if (track.type === 'audio') {
      for (const clip of track.clips) {
        const input = inputs[clip.input];
        end = Math.max(end, clip.start + (input === undefined ? 0 : (audioClipLength(clip, input) ?? 0)));
      }
    } else {
      for (const clip of track.clips) end = Math.max(end, clip.start + clip.length);
    }
  }
  return end;
}

/** Check every clip against its input; the errors name the exact field. */
export function validateTimeline(timeline: Timeline, inputs: ProbedInput[]): void {
  timeline.tracks.forEach((track, trackIndex) => {
    if (track.type === 'text') return;
    let previousEnd: number | undefined;
    const sorted = [...track.clips]
      .map((clip, clipIndex) => ({ clip, clipIndex }))
      .sort((a, b) => a.clip.start - b.clip.start);
    for (const { clip, clipIndex } of sorted) {
      const input = inputs[clip.input];
      if (input?.facts === undefined) {
        throw new InvalidRequestError(
          `There is no media input ${clip.input}.`,
          clipParam(trackIndex, clipIndex, 'input'),
        );
      }
      const facts = input.facts;
      if (track.type === 'audio') {
        if (facts.audio === undefined)
          throw new InvalidRequestError(
            `Input ${clip.input} has no audio.`,
            clipParam(trackIndex, clipIndex, 'input'),
          );
        const length = audioClipLength(clip as AudioClip, input);
        if (length === undefined || length <= 0) {
          throw new InvalidRequestError(
            'This clip has no audio left after trim_start.',
            clipParam(trackIndex, clipIndex, 'trim_start'),
          );
        }
        continue;
      }
      const visual = clip as VisualClip;
      if (facts.video === undefined)
        throw new InvalidRequestError(
          `Input ${clip.input} has no picture.`,
          clipParam(trackIndex, clipIndex, 'input'),
        );
      if (
        !facts.isImage &&
        facts.durationSeconds !== undefined &&
        visual.trim_start + visual.length > facts.durationSeconds + 0.05
      ) {
        throw new InvalidRequestError(
          `trim_start + length (${(visual.trim_start + visual.length).toFixed(2)} s) runs past the end of input ${clip.input} (${facts.durationSeconds.toFixed(2)} s).`,
          clipParam(trackIndex, clipIndex, 'length'),
        );
      }
      if (visual.zoom !== undefined && !facts.isImage) {
        throw new InvalidRequestError(
          'zoom applies to still images only.',
          clipParam(trackIndex, clipIndex, 'zoom'),
        );
      }
      if (visual.transition?.type === 'crossfade') {
        if (
          previousEnd === undefined ||
          Math.abs(previousEnd - visual.transition.duration - visual.start) > EPSILON
        ) {
          throw new InvalidRequestError(
            'A crossfade clip must start transition.duration seconds before the previous clip on its track ends.',
            clipParam(trackIndex, clipIndex, 'start'),
          );
        }
        if (visual.transition.duration >= visual.length) {
          throw new InvalidRequestError(
            'The crossfade is longer than the clip.',
            clipParam(trackIndex, clipIndex, 'transition'),
          );
        }
      } else if (previousEnd !== undefined && visual.start < previousEnd - EPSILON) {
        throw new InvalidRequestError(
          'Clips on one track may overlap only through a crossfade; put overlapping clips on another track.',
          clipParam(trackIndex, clipIndex, 'start'),
        );
      }
      previousEnd = visual.start + visual.length;
    }
  });
}

class GraphBuilder {
  readonly inputs: string[] = [];
  readonly statements: string[] = [];
  private inputCount = 0;
  private labelCount = 0;

  addInput(args: string[]): number {
    this.inputs.push(...args);
    return this.inputCount++;
  }

  label(prefix: string): string {
    return `${prefix}${this.labelCount++}`;
  }

  add(inputs: string[], filters: string[], output: string): string {
    this.statements.push(chain(inputs, filters, [output]));
    return output;
  }
}

function fillColor(background: string, transparent: boolean): string {
  return transparent ? 'black@0' : ffmpegColor(background);
}

function gap(graph: GraphBuilder, frame: Frame, seconds: number, color: string, pixelFormat: string): string {
  return graph.add(
    [],
    [
      filter('color', { c: color, s: `${frame.width}x${frame.height}`, r: frame.fps, d: seconds.toFixed(3) }),
      filter('format', { pix_fmts: pixelFormat }),
      filter('setsar', { sar: 1 }),
    ],
    graph.label('gap'),
  );
}

function visualClipStream(
  graph: GraphBuilder,
  clip: VisualClip,
  input: ProbedInput,
  frame: Frame,
  pixelFormat: string,
  padColor: string,
): string {
  const still = input.facts?.isImage === true;
  const index = graph.addInput(
    still
      ? inputArgs(input.path, ['-loop', '1', '-framerate', String(frame.fps), '-t', clip.length.toFixed(3)])
      : inputArgs(input.path, ['-ss', clip.trim_start.toFixed(3), '-t', clip.length.toFixed(3)]),
  );
  const frames = Math.max(1, Math.round(clip.length * frame.fps));
  const zoom = clip.zoom
    ? [
        filter('zoompan', {
          z: `${clip.zoom.from}+(${clip.zoom.to - clip.zoom.from})*on/${frames}`,
          x: 'iw/2-(iw/zoom/2)',
          y: 'ih/2-(ih/zoom/2)',
          d: 1,
          s: `${frame.width}x${frame.height}`,
          fps: frame.fps,
        }),
      ]
    : [];
  const fade =
    clip.transition?.type === 'fade'
      ? [
          filter('fade', {
            t: 'in',
            st: 0,
            d: clip.transition.duration,
            alpha: pixelFormat === 'yuva420p' ? 1 : 0,
          }),
        ]
      : [];
  return graph.add(
    [`${index}:v:0`],
    [
      ...fitFilters(clip.fit, frame.width, frame.height, padColor),
      ...zoom,
      filter('fps', { fps: frame.fps }),
      filter('format', { pix_fmts: pixelFormat }),
      filter('trim', { duration: clip.length.toFixed(3) }),
      filter('setpts', { expr: 'PTS-STARTPTS' }),
      ...fade,
    ],
    graph.label('clip'),
  );
}

/** One visual track as a single stream exactly `total` seconds long. */
function visualTrackStream(
  graph: GraphBuilder,
  clips: VisualClip[],
  inputs: ProbedInput[],
  frame: Frame,
  total: number,
  background: string,
  isBase: boolean,
): string {
  const pixelFormat = isBase ? 'yuv420p' : 'yuva420p';
  const color = fillColor(background, !isBase);
  const join = (left: string, right: string) =>
    graph.add([left, right], [filter('concat', { n: 2, v: 1, a: 0 })], graph.label('seq'));
  let current: string | undefined;
  let length = 0;
  for (const clip of [...clips].sort((a, b) => a.start - b.start)) {
    const stream = visualClipStream(
      graph,
      clip,
      inputs[clip.input] as ProbedInput,
      frame,
      pixelFormat,
      color,
    );
    if (current !== undefined && clip.transition?.type === 'crossfade') {
      const offset = length - clip.transition.duration;
      current = graph.add(
        [current, stream],
        [
          filter('xfade', {
            transition: 'fade',
            duration: clip.transition.duration,
            offset: offset.toFixed(3),
          }),
        ],
        graph.label('xfade'),
      );
      length = offset + clip.length;
      continue;
    }
    const pause = clip.start - length;
    if (pause > EPSILON)
      current =
        current === undefined
          ? gap(graph, frame, pause, color, pixelFormat)
          : join(current, gap(graph, frame, pause, color, pixelFormat));
    current = current === undefined ? stream : join(current, stream);
    length = clip.start + clip.length;
  }
  if (total - length > EPSILON)
    current = join(current as string, gap(graph, frame, total - length, color, pixelFormat));
  return graph.add(
    [current as string],
    [filter('trim', { duration: total.toFixed(3) }), filter('setpts', { expr: 'PTS-STARTPTS' })],
    graph.label('track'),
  );
}

export function compileTimeline(
  timeline: Timeline,
  inputs: ProbedInput[],
  textFiles: string[],
  outputPath: string,
): CompiledTimeline {
  validateTimeline(timeline, inputs);
  const total = timelineDuration(timeline, inputs);
  const { output } = timeline;
  const frame: Frame = {
    width: Math.round(output.width / 2) * 2,
    height: Math.round(output.height / 2) * 2,
    fps: output.fps,
  };
  const graph = new GraphBuilder();

  // Pictures: the base layer (background when there is no visual track), upper layers overlaid.
  const visualTracks = timeline.tracks.filter((track) => track.type === 'video');
  let picture =
    visualTracks.length === 0
      ? gap(graph, frame, total, ffmpegColor(output.background), 'yuv420p')
      : visualTrackStream(graph, visualTracks[0]?.clips ?? [], inputs, frame, total, output.background, true);
  for (const track of visualTracks.slice(1)) {
    const layer = visualTrackStream(graph, track.clips, inputs, frame, total, output.background, false);
    picture = graph.add(
      [picture, layer],
      [filter('overlay', { x: 0, y: 0, format: 'auto' })],
      graph.label('layered'),
    );
  }
  const captions = timeline.tracks.flatMap((track) => (track.type === 'text' ? track.clips : []));
  const drawn = captions.map((clip, index) =>
    drawtextFilter(clip, textFiles[index] as string, { start: clip.start, end: clip.start + clip.length }),
  );
  graph.add([picture], [...drawn, filter('format', { pix_fmts: 'yuv420p' })], 'video');

  // Sound: silence for the full length underneath, so there is always an audio track of the right length.
  const groups: MixGroups = { voice: [], music: [], other: [] };
  groups.other.push(
    graph.add(
      [],
      [
        filter('anullsrc', { channel_layout: 'stereo', sample_rate: MIX_SAMPLE_RATE }),
        filter('atrim', { duration: total.toFixed(3) }),
      ],
      graph.label('silence'),
    ),
  );
  for (const track of timeline.tracks) {
    if (track.type === 'audio') {
      for (const clip of track.clips) {
        const input = inputs[clip.input] as ProbedInput;
        const length = audioClipLength(clip, input) as number;
        const index = graph.addInput(
          inputArgs(input.path, ['-ss', clip.trim_start.toFixed(3), '-t', length.toFixed(3)]),
        );
        const label = graph.add(
          [`${index}:a:0`],
          [
            ...commonAudioFormat(),
            ...shapeTrack({
              volumeDb: clip.volume_db,
              fadeIn: clip.fade_in,
              fadeOut: clip.fade_out,
              length,
              delay: clip.start,
            }),
          ],
          graph.label('sound'),
        );
        (track.role === 'narration'
          ? groups.voice
          : track.role === 'music'
            ? groups.music
            : groups.other
        ).push(label);
      }
    } else if (track.type === 'video') {
      for (const clip of track.clips) {
        const input = inputs[clip.input] as ProbedInput;
        if (clip.audio_volume_db === undefined || input.facts?.audio === undefined || input.facts.isImage)
          continue;
        const index = graph.addInput(
          inputArgs(input.path, ['-ss', clip.trim_start.toFixed(3), '-t', clip.length.toFixed(3)]),
        );
        const fade = clip.transition?.duration ?? 0;
        groups.other.push(
          graph.add(
            [`${index}:a:0`],
            [
              ...commonAudioFormat(),
              ...shapeTrack({
                volumeDb: clip.audio_volume_db,
                fadeIn: fade,
                fadeOut: 0,
                length: clip.length,
                delay: clip.start,
              }),
            ],
            graph.label('clipsound'),
          ),
        );
      }
    }
  }
  const ducking =
    timeline.ducking === false ? undefined : timeline.ducking === true ? DEFAULT_DUCKING : timeline.ducking;
  graph.statements.push(...buildMixGraph(groups, ducking, 'longest', 'mixed'));
  graph.add(['mixed'], [filter('atrim', { duration: total.toFixed(3) })], 'audio');

  const webm = output.format === 'webm';
  return {
    durationSeconds: total,
    args: [
      ...graph.inputs,
      '-filter_complex',
      graph.statements.join(';'),
      '-map',
      '[video]',
      '-map',
      '[audio]',
      ...(webm
        ? ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-c:a', 'libopus']
        : ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-c:a', 'aac']),
      '-t',
      total.toFixed(3),
      ...muxerArgs(output.format),
      outputPath,
    ],
  };
}
