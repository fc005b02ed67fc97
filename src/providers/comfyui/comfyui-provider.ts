import { randomInt } from 'node:crypto';
import { CHAT_SPECIFICATION_VERSION, type Provider, type ProviderSettings } from '../spec.js';
import { WorkflowCatalog } from './comfyui-catalog.js';
import { createComfyUIImage } from './comfyui-image.js';
import { parseComfyUIOptions } from './comfyui-options.js';
import type { ComfyUIContext } from './comfyui-run.js';
import { createComfyUIVideo } from './comfyui-video.js';

export interface ComfyUIDependencies {
  /** A seed for requests that bring none. */
  randomSeed?: () => number;
}

/**
 * A ComfyUI server (base URL is its host root, e.g. http://127.0.0.1:8188) serving one Atelier model per
 * API-format workflow file named in `options.workflows`. Workflows are read and checked here, so a broken
 * file stops the configuration from loading instead of failing the first request.
 */
export function createComfyUIProvider(
  settings: ProviderSettings,
  dependencies: ComfyUIDependencies = {},
): Provider {
  const options = parseComfyUIOptions(settings.id, settings.options);
  const catalog = new WorkflowCatalog(options, settings.dataDir);
  const context: ComfyUIContext = {
    settings,
    pollIntervalMs: options.poll_interval_ms,
    randomSeed: dependencies.randomSeed ?? (() => randomInt(0, 2 ** 48 - 1)),
  };
  const hasImages = catalog.has('image', () => true);
  const hasVideo = catalog.has('video', () => true);
  return {
    specificationVersion: CHAT_SPECIFICATION_VERSION,
    id: settings.id,
    type: 'comfyui',
    ...(hasImages ? { image: createComfyUIImage(context, catalog) } : {}),
    ...(hasVideo ? { video: createComfyUIVideo(context, catalog) } : {}),
    listModels: () => Promise.resolve(catalog.models),
  };
}
