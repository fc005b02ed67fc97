/** What probing tells us about a media file, in our own words (not ffprobe's JSON). */

export interface VideoFacts {
  codec: string;
  width: number;
  height: number;
  /** Frames per second, from the stream's average frame rate. */
  fps: number | undefined;
  pixelFormat: string | undefined;
  bitRate: number | undefined;
}

export interface AudioFacts {
  codec: string;
  sampleRate: number;
  channels: number;
  channelLayout: string | undefined;
  bitRate: number | undefined;
}

export interface SubtitleFacts {
  /** Position among the file's subtitle streams (what `0:s:N` selects). */
  index: number;
  codec: string;
  language: string | undefined;
}

export interface LoudnessFacts {
  integratedLufs: number;
  truePeakDbtp: number;
  loudnessRangeLu: number;
}

export interface MediaFacts {
  /** Demuxer name(s), e.g. "mov,mp4,m4a,3gp,3g2,mj2". */
  container: string;
  durationSeconds: number | undefined;
  bytes: number | undefined;
  bitRate: number | undefined;
  /** A single still picture (png, jpeg, webp …) rather than a moving video. */
  isImage: boolean;
  video: VideoFacts | undefined;
  audio: AudioFacts | undefined;
  subtitles: SubtitleFacts[];
  streamCount: number;
  loudness?: LoudnessFacts;
}
