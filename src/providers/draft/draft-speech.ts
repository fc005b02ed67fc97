/**
 * Draft speech: espeak-ng reads the input aloud (robotic, offline, free) as WAV, and the media core's
 * FFmpeg converts it when another format is asked for. A voice espeak-ng does not know (OpenAI's
 * `alloy`, …) falls back to `en` with a warning, as do style instructions it cannot follow.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PROTOCOL_WHITELIST } from '../../media/ffmpeg-runner.js';
import { speechMediaTypes } from '../audio/index.js';
import type {
  MediaCallOptions,
  SpeechCapability,
  SpeechFormat,
  SpeechRequest,
  SpeechResult,
} from '../media-spec.js';
import type { SpeechEngine } from './draft-espeak.js';
import { runDraftFfmpeg, type DraftFfmpeg } from './draft-ffmpeg.js';
import { wavWithTrueSizes } from './draft-wav.js';
import type { CancelSignal } from '../cancel-signal.js';

export interface DraftSpeechContext {
  engine: SpeechEngine;
  ffmpeg: DraftFfmpeg;
  /** Scratch directory for conversions (draft/speech/). */
  directory: string;
}

const fallbackVoice = 'en';
/** espeak-ng's default rate; OpenAI's speed 1 means "normal". */
const normalWordsPerMinute = 175;

/** FFmpeg output arguments per format; pcm matches what OpenAI sends (24 kHz, 16-bit, mono). */
const conversions: Record<Exclude<SpeechFormat, 'wav'>, string[]> = {
  mp3: ['-c:a', 'libmp3lame', '-b:a', '128k', '-f', 'mp3'],
  opus: ['-c:a', 'libopus', '-b:a', '48k', '-ar', '24000', '-f', 'ogg'],
  aac: ['-c:a', 'aac', '-b:a', '96k', '-f', 'adts'],
  flac: ['-c:a', 'flac', '-f', 'flac'],
  pcm: ['-c:a', 'pcm_s16le', '-ar', '24000', '-ac', '1', '-f', 's16le'],
};

export function createDraftSpeech(context: DraftSpeechContext): SpeechCapability {
  return {
    formats: ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'],

    async synthesize(request: SpeechRequest, options: MediaCallOptions): Promise<SpeechResult> {
      const warnings: string[] = [];
      const requested = request.voice.toLowerCase();
      const voice = context.engine.voices.has(requested) ? requested : fallbackVoice;
      if (voice !== requested) {
        warnings.push(`Draft speech uses espeak-ng voices; '${request.voice}' is not one, so 'en' was used.`);
      }
      if (request.instructions) warnings.push('Draft speech ignores instructions.');
      const wordsPerMinute = Math.round(normalWordsPerMinute * (request.speed ?? 1));
      const wav = wavWithTrueSizes(
        await context.engine.speak({ text: request.input, voice, wordsPerMinute }, options.signal),
      );
      const audio =
        request.format === 'wav' ? wav : await convert(context, wav, request.format, options.signal);
      return {
        audio,
        mediaType: speechMediaTypes[request.format],
        ...(warnings.length > 0 ? { warnings } : {}),
      };
    },
  };
}

async function convert(
  context: DraftSpeechContext,
  wav: Buffer,
  format: Exclude<SpeechFormat, 'wav'>,
  signal: CancelSignal,
): Promise<Buffer> {
  await mkdir(context.directory, { recursive: true });
  const work = join(context.directory, randomUUID());
  try {
    await writeFile(`${work}.wav`, wav);
    await runDraftFfmpeg(
      context.ffmpeg,
      [
        '-v',
        'error',
        '-protocol_whitelist',
        PROTOCOL_WHITELIST,
        '-i',
        `${work}.wav`,
        ...conversions[format],
        `${work}.out`,
      ],
      signal,
    );
    return await readFile(`${work}.out`);
  } finally {
    await rm(`${work}.wav`, { force: true });
    await rm(`${work}.out`, { force: true });
  }
}
