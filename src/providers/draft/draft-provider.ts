import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHAT_SPECIFICATION_VERSION, type Provider, type ProviderSettings } from '../spec.js';
import { createFfmpegRunner, type FfmpegRunner } from './draft-ffmpeg.js';
import { createDraftImage } from './draft-image.js';
import { parseDraftOptions } from './draft-options.js';
import { createDraftVideo } from './draft-video.js';

export interface DraftDependencies {
  now?: () => number;
  ffmpeg?: FfmpegRunner;
}

/**
 * The built-in offline provider: placeholder images and videos, free and deterministic, marked
 * `{draft: true}` in their metadata. Needs no key and no network; videos need FFmpeg.
 */
export function createDraftProvider(
  settings: ProviderSettings,
  dependencies: DraftDependencies = {},
): Provider {
  const options = parseDraftOptions(settings.id, settings.options);
  return {
    specificationVersion: CHAT_SPECIFICATION_VERSION,
    id: settings.id,
    type: 'draft',
    image: createDraftImage(settings.id),
    video: createDraftVideo({
      directory: join(settings.dataDir ?? join(tmpdir(), 'atelier'), 'draft'),
      generationMs: options.generation_ms,
      now: dependencies.now ?? Date.now,
      ffmpeg: dependencies.ffmpeg ?? createFfmpegRunner(options.ffmpeg_path),
    }),
  };
}
