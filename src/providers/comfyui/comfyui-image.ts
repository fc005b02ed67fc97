/**
 * Images from ComfyUI in one call: each requested image is one run of the workflow (seed + index), so
 * any workflow works whatever its batch size; ComfyUI queues the runs in order anyway.
 */
import type {
  GeneratedImage,
  ImageCapability,
  ImageRequest,
  ImageResult,
  MediaCallOptions,
} from '../media-spec.js';
import type { WorkflowCatalog } from './comfyui-catalog.js';
import { cancelPrompt } from './comfyui-cancel.js';
import { readFileBytes } from './comfyui-client.js';
import { comfyUIMalformedResponse } from './comfyui-errors.js';
import { selectOutputs } from './comfyui-outputs.js';
import { finishRun, startRun, type ComfyUIContext, type StartedRun } from './comfyui-run.js';

export function createComfyUIImage(context: ComfyUIContext, catalog: WorkflowCatalog): ImageCapability {
  return {
    supports: {
      generate: catalog.has('image', (placeholders) => !placeholders.has('input_image')),
      edit: catalog.has('image', (placeholders) => placeholders.has('input_image')),
      mask: false,
    },

    async generate(request: ImageRequest, options: MediaCallOptions): Promise<ImageResult> {
      const workflow = catalog.lookup(request.model, 'image');
      const count = request.count ?? 1;
      const warnings = new Set<string>();
      if (request.mask) warnings.add('ComfyUI workflows here take no mask; it was ignored.');
      if ((request.inputImages?.length ?? 0) > 1) {
        warnings.add('Only the first input image is given to a ComfyUI workflow; the others were ignored.');
      }
      const baseSeed = request.seed ?? context.randomSeed();
      const images: GeneratedImage[] = [];
      const promptIds: string[] = [];
      for (let index = 0; index < count; index++) {
        const runOptions = {
          ...options,
          onProgress: options.onProgress
            ? (progress: { fraction?: number; message?: string }) =>
                options.onProgress!({
                  ...progress,
                  ...(progress.fraction === undefined
                    ? {}
                    : { fraction: (index + progress.fraction) / count }),
                })
            : undefined,
        };
        const run = await startRun(
          context,
          workflow,
          {
            prompt: request.prompt,
            negativePrompt: request.negativePrompt,
            seed: baseSeed + index,
            size: request.size,
            inputImage: { image: request.inputImages?.[0], param: 'image' },
          },
          runOptions,
        );
        promptIds.push(run.promptId);
        run.warnings.forEach((warning) => warnings.add(warning));
        const entry = await finishOrCancel(context, run, options);
        const files = selectOutputs(entry, 'image', workflow.outputNode);
        if (files.length === 0) {
          throw comfyUIMalformedResponse(context.settings.id, `workflow '${workflow.model}' saved no image`);
        }
        for (const file of files) images.push(await readFileBytes(context.settings, file, options));
      }
      const result: ImageResult = { images, metadata: { seed: baseSeed, prompt_ids: promptIds } };
      if (warnings.size > 0) result.warnings = [...warnings];
      return result;
    },
  };
}

/** A caller that gives up should not leave ComfyUI busy with work nobody will collect. */
async function finishOrCancel(context: ComfyUIContext, run: StartedRun, options: MediaCallOptions) {
  try {
    return await finishRun(context, run, options);
  } catch (error) {
    if (options.signal.aborted) {
      const cleanup = { ...options, signal: AbortSignal.timeout(context.settings.timeoutMs) };
      await cancelPrompt(context.settings, run.promptId, cleanup).catch(() => undefined);
    }
    throw error;
  }
}
