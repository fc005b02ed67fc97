import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CHAT_SPECIFICATION_VERSION, type Provider, type ProviderSettings } from '../spec.js';
import type { FfmpegRunner } from '../../media/ffmpeg-runner.js';
import { findEspeak, type SpeechEngine } from './draft-espeak.js';
import { draftFfmpeg } from './draft-ffmpeg.js';
import { createDraftImage } from './draft-image.js';
import { parseDraftOptions } from './draft-options.js';
import { createDraftSpeech } from './draft-speech.js';
import { createDraftVideo } from './draft-video.js';

export interface DraftDependencies {
  now?: () => number;
  /** The media core's FFmpeg runner; located from `ffmpeg_path` and the system when absent. */
  ffmpeg?: FfmpegRunner;
  /** Looks for espeak-ng once, at creation; undefined means no speech capability. */
  findSpeechEngine?: (path: string) => SpeechEngine | undefined;
}

/**
 * The built-in offline provider: placeholder images and videos, free and deterministic, marked
 * `{draft: true}` in their metadata, and robotic speech when espeak-ng is installed. Needs no key and no
 * network; videos and non-WAV speech need FFmpeg.
 */
export function createDraftProvider(
  settings: ProviderSettings,
  dependencies: DraftDependencies = {},
): Provider {
  const options = parseDraftOptions(settings.id, settings.options);
  // Absolute: the media core's runner refuses relative FFmpeg inputs.
  const directory = resolve(settings.dataDir ?? join(tmpdir(), 'atelier'), 'draft');
  const ffmpeg = draftFfmpeg(options.ffmpeg_path, dependencies.ffmpeg);
  const engine = (dependencies.findSpeechEngine ?? findEspeak)(options.espeak_path ?? 'espeak-ng');
  return {
    specificationVersion: CHAT_SPECIFICATION_VERSION,
    id: settings.id,
    type: 'draft',
    image: createDraftImage(settings.id),
    video: createDraftVideo({
      directory,
      generationMs: options.generation_ms,
      now: dependencies.now ?? Date.now,
      ffmpeg,
    }),
    ...(engine
      ? { speech: createDraftSpeech({ engine, ffmpeg, directory: join(directory, 'speech') }) }
      : {}),
  };
}
