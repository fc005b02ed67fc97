/**
 * The compose timeline: what the idea-to-video pipeline (and anyone else) hands `compose` to cut a film.
 * Documented with examples in docs/media.md. Times are seconds from the start of the output.
 *
 * - Visual tracks (`video`) hold clips of the operation's inputs, by index: moving video or stills.
 *   The first visual track is the base layer; later ones are drawn on top (transparent where empty).
 * - `text` tracks hold captions and titles.
 * - `audio` tracks hold narration, music or effects; music is ducked under narration.
 */
import * as z from 'zod';
import { DEFAULT_DUCKING } from './audio-chains.js';
import { frameRate, hexColor, overlayText, positiveSeconds, seconds } from './option-schemas.js';
import { textStyleSchema } from './text-overlay.js';

export const transitionSchema = z.strictObject({
  /**
   * `crossfade`: blend from the previous clip on the same track; the clip must start `duration` seconds
   * before the previous one ends. `fade`: fade in from the background (or from transparent, on upper tracks).
   */
  type: z.enum(['crossfade', 'fade']),
  duration: z.number().min(0.04).max(10),
});

export const zoomSchema = z.strictObject({
  /** Zoom factor at the clip's start and end (1 = the whole frame); a slow push-in by default. */
  from: z.number().min(1).max(4).default(1),
  to: z.number().min(1).max(4).default(1.15),
});

export const visualClipSchema = z.strictObject({
  /** Index into the operation's inputs: a video or a still image. */
  input: z.number().int().min(0).max(99),
  start: seconds,
  length: positiveSeconds,
  /** Skip this many seconds of a video input before the clip begins. */
  trim_start: seconds.default(0),
  fit: z.enum(['contain', 'cover', 'stretch']).default('cover'),
  /** Slow zoom on a still image (Ken Burns). */
  zoom: zoomSchema.optional(),
  transition: transitionSchema.optional(),
  /** Keep the video clip's own sound in the mix, at this gain in dB. */
  audio_volume_db: z.number().min(-60).max(24).optional(),
});

export const textClipSchema = textStyleSchema.extend({
  text: overlayText,
  start: seconds,
  length: positiveSeconds,
});

export const audioClipSchema = z.strictObject({
  input: z.number().int().min(0).max(99),
  start: seconds.default(0),
  /** Default: the rest of the input after trim_start. */
  length: positiveSeconds.optional(),
  trim_start: seconds.default(0),
  volume_db: z.number().min(-60).max(24).default(0),
  fade_in: seconds.max(600).default(0),
  fade_out: seconds.max(600).default(0),
});

export const trackSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('video'), clips: z.array(visualClipSchema).min(1).max(500) }),
  z.strictObject({ type: z.literal('text'), clips: z.array(textClipSchema).min(1).max(2000) }),
  z.strictObject({
    type: z.literal('audio'),
    role: z.enum(['narration', 'music', 'effects']).default('effects'),
    clips: z.array(audioClipSchema).min(1).max(500),
  }),
]);

export const timelineSchema = z.strictObject({
  output: z
    .strictObject({
      width: z.number().int().min(16).max(7680).default(1280),
      height: z.number().int().min(16).max(4320).default(720),
      fps: frameRate.default(30),
      format: z.enum(['mp4', 'webm', 'mov']).default('mp4'),
      background: hexColor.default('#000000'),
      /** Default: where the last clip of any track ends. */
      duration: positiveSeconds.optional(),
    })
    .default({ width: 1280, height: 720, fps: 30, format: 'mp4', background: '#000000' }),
  tracks: z.array(trackSchema).min(1).max(32),
  /** Duck music tracks under narration tracks (true = default settings, false = off). */
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
});

export type Timeline = z.output<typeof timelineSchema>;
export type VisualClip = z.output<typeof visualClipSchema>;
export type TextClip = z.output<typeof textClipSchema>;
export type AudioClip = z.output<typeof audioClipSchema>;
export type Track = z.output<typeof trackSchema>;
