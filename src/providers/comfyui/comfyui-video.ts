/**
 * Video as a long-running operation whose id is ComfyUI's prompt id: `start` submits and returns at once,
 * `status` reads /history (falling back to /queue for "pending, N ahead"), `download` streams from /view.
 * Everything needed is on the server, so a restarted Atelier picks up where it left off; only the live
 * progress fraction (from the socket opened at start) is lost across a restart.
 */
import { InvalidRequestError, NotFoundError } from '../../errors/index.js';
import type { MediaCallOptions, VideoCapability, VideoRequest, VideoStatus } from '../media-spec.js';
import type { HistoryEntry } from './comfyui-api-types.js';
import { cancelPrompt } from './comfyui-cancel.js';
import { comfyUIPromptLost } from './comfyui-errors.js';
import type { WorkflowCatalog } from './comfyui-catalog.js';
import { readHistory, viewFile } from './comfyui-client.js';
import { mediaTypeOf, runOutcome, selectOutputs } from './comfyui-outputs.js';
import type { ProgressSnapshot } from './comfyui-progress.js';
import { queuePosition } from './comfyui-queue.js';
import { startRun, type ComfyUIContext, type StartedRun } from './comfyui-run.js';

export function createComfyUIVideo(context: ComfyUIContext, catalog: WorkflowCatalog): VideoCapability {
  const { settings } = context;
  /** Runs this process is following over the socket, for a live fraction in `status`. */
  const live = new Map<string, StartedRun>();

  const outputs = (entry: HistoryEntry) => {
    const model = (entry.prompt?.[3] as { atelier_model?: unknown } | undefined)?.atelier_model;
    const workflow = typeof model === 'string' ? catalog.find(model) : undefined;
    return selectOutputs(entry, 'video', workflow?.kind === 'video' ? workflow.outputNode : undefined);
  };

  const pending = (snapshot: ProgressSnapshot | undefined, fallback: string): VideoStatus => ({
    status: 'pending',
    ...(snapshot?.fraction === undefined ? {} : { fraction: snapshot.fraction }),
    message: snapshot?.message ?? fallback,
  });

  async function status(operationId: string, options: MediaCallOptions): Promise<VideoStatus> {
    const entry = await readHistory(settings, operationId, options);
    const outcome = runOutcome(entry);
    if (outcome.state === 'failed') return { status: 'failed', message: outcome.message, kind: 'upstream' };
    if (outcome.state === 'done') {
      const files = outputs(entry!);
      if (files.length === 0) {
        return {
          status: 'failed',
          message: 'The workflow finished without saving a video.',
          kind: 'upstream',
        };
      }
      return {
        status: 'completed',
        videos: files.map((file, index) => ({ index, mediaType: mediaTypeOf(file) })),
        metadata: { prompt_id: operationId },
      };
    }
    const position = await queuePosition(settings, operationId, options);
    if (position.state === 'running') return pending(live.get(operationId)?.tracker.snapshot, 'running');
    if (position.state === 'pending') return pending(undefined, `pending, ${position.ahead} ahead`);
    // It may have finished between the two reads.
    if (runOutcome(await readHistory(settings, operationId, options)).state !== 'unknown') {
      return status(operationId, options);
    }
    return {
      status: 'failed',
      message: comfyUIPromptLost(settings.id, operationId).message,
      kind: 'upstream',
    };
  }

  return {
    supports: {
      textToVideo: catalog.has('video', (placeholders) => !placeholders.has('input_image')),
      firstFrame: catalog.has('video', (placeholders) => placeholders.has('input_image')),
      lastFrame: catalog.has('video', (placeholders) => placeholders.has('last_frame')),
      referenceImages: false,
    },
    pollIntervalMs: context.pollIntervalMs,

    async start(request: VideoRequest, options: MediaCallOptions) {
      const workflow = catalog.lookup(request.model, 'video');
      const run = await startRun(
        context,
        workflow,
        {
          prompt: request.prompt,
          negativePrompt: request.negativePrompt,
          seed: request.seed,
          size: request.size,
          seconds: request.seconds,
          fps: request.fps,
          inputImage: { image: request.firstFrame, param: 'input_reference' },
          lastFrame: { image: request.lastFrame, param: 'last_frame' },
        },
        // The call returns now; progress is read through status, not reported to the starter.
        { ...options, onProgress: undefined },
      );
      if (run.socket) {
        live.set(run.promptId, run);
        void run.socket.ended.then(() => live.delete(run.promptId));
      }
      const warnings = [...run.warnings];
      if (request.referenceImages?.length) warnings.push('ComfyUI workflows take no reference images here.');
      return { operationId: run.promptId, ...(warnings.length > 0 ? { warnings } : {}) };
    },

    status,

    async download(operationId: string, index: number, options: MediaCallOptions) {
      const entry = await readHistory(settings, operationId, options);
      if (runOutcome(entry).state !== 'done') {
        throw new InvalidRequestError(
          `ComfyUI prompt ${operationId} has no finished video yet.`,
          'id',
          'video_not_ready',
        );
      }
      const file = outputs(entry!)[index];
      if (!file) throw new NotFoundError(`ComfyUI prompt ${operationId} has no video ${index}.`);
      return viewFile(settings, file, options);
    },

    async cancel(operationId: string, options: MediaCallOptions) {
      await cancelPrompt(settings, operationId, options);
      live.get(operationId)?.socket?.close();
    },
  };
}
