/** Output containers we write: file extension, MIME type and what they can carry. */

export const VIDEO_FORMATS = ['mp4', 'webm', 'mov', 'mkv', 'gif'] as const;
export const AUDIO_FORMATS = ['mp3', 'm4a', 'wav', 'ogg', 'flac', 'opus'] as const;
export type VideoFormat = (typeof VIDEO_FORMATS)[number];
export type AudioFormat = (typeof AUDIO_FORMATS)[number];
export type OutputFormat = VideoFormat | AudioFormat;
export const OUTPUT_FORMATS = [...VIDEO_FORMATS, ...AUDIO_FORMATS] as const;

interface FormatInfo {
  mimeType: string;
  /** FFmpeg muxer name. */
  muxer: string;
  /** Encoders the container accepts, by our codec names. */
  videoCodecs: string[];
  audioCodecs: string[];
}

export const FORMATS: Record<OutputFormat, FormatInfo> = {
  mp4: {
    mimeType: 'video/mp4',
    muxer: 'mp4',
    videoCodecs: ['h264', 'hevc', 'av1'],
    audioCodecs: ['aac', 'mp3', 'opus'],
  },
  mov: {
    mimeType: 'video/quicktime',
    muxer: 'mov',
    videoCodecs: ['h264', 'hevc'],
    audioCodecs: ['aac', 'mp3', 'pcm'],
  },
  webm: {
    mimeType: 'video/webm',
    muxer: 'webm',
    videoCodecs: ['vp9', 'av1'],
    audioCodecs: ['opus', 'vorbis'],
  },
  mkv: {
    mimeType: 'video/x-matroska',
    muxer: 'matroska',
    videoCodecs: ['h264', 'hevc', 'vp9', 'av1'],
    audioCodecs: ['aac', 'mp3', 'opus', 'vorbis', 'flac', 'pcm'],
  },
  gif: { mimeType: 'image/gif', muxer: 'gif', videoCodecs: ['gif'], audioCodecs: [] },
  mp3: { mimeType: 'audio/mpeg', muxer: 'mp3', videoCodecs: [], audioCodecs: ['mp3'] },
  m4a: { mimeType: 'audio/mp4', muxer: 'ipod', videoCodecs: [], audioCodecs: ['aac'] },
  wav: { mimeType: 'audio/wav', muxer: 'wav', videoCodecs: [], audioCodecs: ['pcm'] },
  ogg: { mimeType: 'audio/ogg', muxer: 'ogg', videoCodecs: [], audioCodecs: ['vorbis', 'opus'] },
  flac: { mimeType: 'audio/flac', muxer: 'flac', videoCodecs: [], audioCodecs: ['flac'] },
  opus: { mimeType: 'audio/ogg', muxer: 'ogg', videoCodecs: [], audioCodecs: ['opus'] },
};

export function isAudioFormat(format: OutputFormat): format is AudioFormat {
  return (AUDIO_FORMATS as readonly string[]).includes(format);
}

/** Our codec names → FFmpeg software encoders. */
export const VIDEO_ENCODERS: Record<string, string> = {
  h264: 'libx264',
  hevc: 'libx265',
  vp9: 'libvpx-vp9',
  av1: 'libsvtav1',
  gif: 'gif',
};

export const AUDIO_ENCODERS: Record<string, string> = {
  aac: 'aac',
  mp3: 'libmp3lame',
  opus: 'libopus',
  vorbis: 'libvorbis',
  flac: 'flac',
  pcm: 'pcm_s16le',
};

/** The natural audio codec of a container. */
export function defaultAudioCodec(format: OutputFormat): string | undefined {
  return FORMATS[format].audioCodecs[0];
}

export function defaultVideoCodec(format: OutputFormat): string | undefined {
  return FORMATS[format].videoCodecs[0];
}

/** Arguments that mux for the web: the index up front so playback starts before the download ends. */
export function muxerArgs(format: OutputFormat): string[] {
  const faststart =
    format === 'mp4' || format === 'mov' || format === 'm4a' ? ['-movflags', '+faststart'] : [];
  return [...faststart, '-f', FORMATS[format].muxer];
}
