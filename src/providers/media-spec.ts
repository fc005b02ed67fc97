/**
 * The versioned contract for generative media: images (one call), video (a long-running operation:
 * start → status → download), speech and transcription. Part of the same specification version as chat.
 *
 * Video is start/status rather than one call so that a job can checkpoint the operation id and resume
 * polling after a restart instead of paying for the generation twice.
 */
import type { Readable } from 'node:stream';
import type { CallOptions } from './spec.js';

/** Bytes handed to a provider (an uploaded file, a previous job's output, a decoded data: URL). */
export interface BinaryInput {
  data: Buffer;
  mediaType: string;
  filename?: string;
}

export interface Size {
  width: number;
  height: number;
}

/** Progress reported while a provider works: a fraction 0..1 when known, and a human message. */
export type ProgressReporter = (progress: { fraction?: number; message?: string }) => void;

export interface MediaCallOptions extends CallOptions {
  onProgress?: ProgressReporter;
}

// ---------------------------------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------------------------------

export interface ImageRequest {
  model: string;
  prompt: string;
  negativePrompt?: string;
  /** Number of images (1 when absent). */
  count?: number;
  size?: Size;
  /** "auto" | "low" | "medium" | "high" | "standard" | "hd" — passed on where the vendor has it. */
  quality?: string;
  style?: string;
  seed?: number;
  background?: 'transparent' | 'opaque' | 'auto';
  outputFormat?: 'png' | 'jpeg' | 'webp';
  /** Edits and image-to-image: the source images, first one primary. */
  inputImages?: BinaryInput[];
  mask?: BinaryInput;
  /** Vendor-only knobs, validated by the vendor adapter: providerOptions.<vendor type>. */
  providerOptions?: Record<string, Record<string, unknown>>;
}

export interface GeneratedImage {
  data: Buffer;
  mediaType: string;
  revisedPrompt?: string;
}

export interface MediaUsage {
  inputTokens?: number;
  outputTokens?: number;
  /** Seconds of audio or video produced or consumed, where the vendor bills by time. */
  seconds?: number;
}

export interface ImageResult {
  images: GeneratedImage[];
  usage?: MediaUsage;
  warnings?: string[];
  /** Facts worth keeping with the output (e.g. { draft: true }, the seed actually used). */
  metadata?: Record<string, unknown>;
}

export interface ImageCapability {
  /** Which kinds of request this adapter can serve; anything else is a clear 4xx before any call. */
  readonly supports: { generate: boolean; edit: boolean; mask: boolean };
  generate(request: ImageRequest, options: MediaCallOptions): Promise<ImageResult>;
}

// ---------------------------------------------------------------------------------------------------
// Video
// ---------------------------------------------------------------------------------------------------

export interface VideoRequest {
  model: string;
  prompt: string;
  negativePrompt?: string;
  seconds?: number;
  size?: Size;
  /** "16:9", "9:16", "1:1" … for vendors that take a ratio rather than a size. */
  aspectRatio?: string;
  fps?: number;
  seed?: number;
  /** Image-to-video: the first frame, and the last frame where the vendor supports it. */
  firstFrame?: BinaryInput;
  lastFrame?: BinaryInput;
  /** Subject/style references (not frames). */
  referenceImages?: BinaryInput[];
  providerOptions?: Record<string, Record<string, unknown>>;
}

export interface VideoOperation {
  /** Vendor operation id (OpenAI video id, Veo operation name, ComfyUI prompt id …). */
  operationId: string;
  warnings?: string[];
}

export interface GeneratedVideoReference {
  /** Index of the video within the operation (vendors may return several). */
  index: number;
  mediaType: string;
  seconds?: number;
  size?: Size;
}

export type VideoStatus =
  | { status: 'pending'; fraction?: number; message?: string }
  | {
      status: 'completed';
      videos: GeneratedVideoReference[];
      usage?: MediaUsage;
      metadata?: Record<string, unknown>;
    }
  | { status: 'failed'; message: string; kind: 'content_policy' | 'invalid_request' | 'upstream' };

export interface VideoCapability {
  readonly supports: {
    textToVideo: boolean;
    firstFrame: boolean;
    lastFrame: boolean;
    referenceImages: boolean;
  };
  start(request: VideoRequest, options: MediaCallOptions): Promise<VideoOperation>;
  status(operationId: string, options: MediaCallOptions): Promise<VideoStatus>;
  /** The bytes of one completed video. */
  download(
    operationId: string,
    index: number,
    options: MediaCallOptions,
  ): Promise<{ body: Readable; mediaType: string }>;
  /** Best effort: ask the vendor to stop (not every vendor can). */
  cancel?(operationId: string, options: MediaCallOptions): Promise<void>;
  /** Suggested wait between status calls. */
  readonly pollIntervalMs: number;
}

// ---------------------------------------------------------------------------------------------------
// Speech and transcription
// ---------------------------------------------------------------------------------------------------

export type SpeechFormat = 'mp3' | 'opus' | 'aac' | 'flac' | 'wav' | 'pcm';

export interface SpeechRequest {
  model: string;
  input: string;
  voice: string;
  format: SpeechFormat;
  speed?: number;
  /** Style instructions (OpenAI gpt-4o-mini-tts, Gemini TTS prompts). */
  instructions?: string;
}

export interface SpeechResult {
  audio: Buffer;
  mediaType: string;
  warnings?: string[];
}

export interface SpeechCapability {
  readonly formats: readonly SpeechFormat[];
  synthesize(request: SpeechRequest, options: MediaCallOptions): Promise<SpeechResult>;
}

export interface TranscriptionRequest {
  model: string;
  audio: BinaryInput;
  language?: string;
  prompt?: string;
  temperature?: number;
}

export interface TranscriptionSegment {
  start: number;
  end: number;
  text: string;
}

export interface TranscriptionResult {
  text: string;
  language?: string;
  durationSeconds?: number;
  segments?: TranscriptionSegment[];
  usage?: MediaUsage;
}

export interface TranscriptionCapability {
  transcribe(request: TranscriptionRequest, options: MediaCallOptions): Promise<TranscriptionResult>;
}
