/** Named transcode presets: sensible defaults that explicit options override. */
import type { OutputFormat } from './media-formats.js';

export interface PresetValues {
  format: OutputFormat;
  video_codec?: string;
  audio_codec?: string;
  crf?: number;
  audio_bitrate?: string;
  /** Never upscale; shrink to at most this height. */
  max_height?: number;
  /** Never upscale; shrink to at most this width. */
  max_width?: number;
  fps?: number;
}

export const PRESETS = {
  web: {
    format: 'mp4',
    video_codec: 'h264',
    audio_codec: 'aac',
    crf: 23,
    audio_bitrate: '128k',
    max_height: 1080,
  },
  mobile: {
    format: 'mp4',
    video_codec: 'h264',
    audio_codec: 'aac',
    crf: 26,
    audio_bitrate: '96k',
    max_height: 720,
  },
  archive: { format: 'mkv', video_codec: 'hevc', audio_codec: 'flac', crf: 20 },
  gif: { format: 'gif', max_width: 480, fps: 12 },
  audio: { format: 'm4a', audio_codec: 'aac', audio_bitrate: '192k' },
} satisfies Record<string, PresetValues>;

export type PresetName = keyof typeof PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as [PresetName, ...PresetName[]];
