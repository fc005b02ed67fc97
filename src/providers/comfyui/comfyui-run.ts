/**
 * One workflow run on ComfyUI, shared by images and video: fill the placeholders (uploading input images
 * first), open the event socket, submit, and wait for /history to record the outcome.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { InvalidRequestError } from '../../errors/index.js';
import type { BinaryInput, MediaCallOptions, Size } from '../media-spec.js';
import type { CallOptions, ProviderSettings } from '../spec.js';
import type { HistoryEntry } from './comfyui-api-types.js';
import type { CatalogEntry } from './comfyui-catalog.js';
import { readHistory, submitPrompt } from './comfyui-client.js';
import { comfyUIExecutionError, comfyUIPromptLost } from './comfyui-errors.js';
import { runOutcome } from './comfyui-outputs.js';
import { ProgressTracker } from './comfyui-progress.js';
import { queuePosition } from './comfyui-queue.js';
import { openRunSocket, type RunSocket } from './comfyui-socket.js';
import { uploadImage } from './comfyui-upload.js';
import { fillWorkflow, type PlaceholderValues } from './comfyui-workflow.js';
import { toAbortSignal } from '../cancel-signal.js';

export interface ComfyUIContext {
  settings: ProviderSettings;
  pollIntervalMs: number;
  /** A seed when the request brings none (injected so tests can pin it). */
  randomSeed: () => number;
}

/** The request facts a workflow can use, whatever capability asked. */
export interface ImageInput {
  image: BinaryInput | undefined;
  param: string;
}

export interface RunInputs {
  prompt: string;
  negativePrompt?: string;
  seed?: number;
  size?: Size;
  seconds?: number;
  fps?: number;
  /** The images for {{input_image}} / {{last_frame}}, and the request fields that carry them. */
  inputImage: ImageInput;
  lastFrame?: ImageInput;
}

const kindDefaults = {
  image: { width: 1024, height: 1024, seconds: 3, fps: 8 },
  video: { width: 1024, height: 576, seconds: 3, fps: 8 },
} as const;

export interface StartedRun {
  promptId: string;
  seed: number;
  warnings: string[];
  socket: RunSocket | undefined;
  tracker: ProgressTracker;
}

export async function startRun(
  context: ComfyUIContext,
  workflow: CatalogEntry,
  inputs: RunInputs,
  options: MediaCallOptions,
): Promise<StartedRun> {
  const warnings: string[] = [];
  const images = {
    input_image: await uploadFor(context, workflow, 'input_image', inputs.inputImage, warnings, options),
    last_frame: await uploadFor(context, workflow, 'last_frame', inputs.lastFrame, warnings, options),
  };
  const defaults = { ...kindDefaults[workflow.kind], ...workflow.defaults };
  const seconds = inputs.seconds ?? defaults.seconds;
  const fps = inputs.fps ?? defaults.fps;
  const seed = inputs.seed ?? context.randomSeed();
  const values: PlaceholderValues = {
    prompt: inputs.prompt,
    negative_prompt: inputs.negativePrompt ?? '',
    seed,
    width: inputs.size?.width ?? defaults.width,
    height: inputs.size?.height ?? defaults.height,
    seconds,
    fps,
    frames: Math.max(1, Math.round(seconds * fps)),
    ...images,
  };
  if (inputs.size && !workflow.placeholders.has('width')) {
    warnings.push(`The workflow '${workflow.model}' has a fixed size; the requested size was ignored.`);
  }
  const graph = fillWorkflow(workflow, values);

  const clientId = randomUUID();
  const socket = await openRunSocket(context.settings, clientId, options.credential);
  const tracker = new ProgressTracker(graph, options.onProgress);
  try {
    const { promptId } = await submitPrompt(
      context.settings,
      // Echoed back in /history, so a run can be matched to its workflow after a restart.
      { graph, clientId, extraData: { atelier_model: workflow.model } },
      options,
    );
    socket?.follow(promptId, (type, data) => tracker.observe(type, data));
    return { promptId, seed, warnings, socket, tracker };
  } catch (error) {
    socket?.close();
    throw error;
  }
}

async function uploadFor(
  context: ComfyUIContext,
  workflow: CatalogEntry,
  placeholder: 'input_image' | 'last_frame',
  input: ImageInput | undefined,
  warnings: string[],
  options: CallOptions,
): Promise<string> {
  const used = workflow.placeholders.has(placeholder);
  if (!input?.image) {
    if (used) {
      throw new InvalidRequestError(
        `The ComfyUI workflow '${workflow.model}' needs an input image ({{${placeholder}}}).`,
        input?.param ?? placeholder,
      );
    }
    return '';
  }
  if (!used) {
    warnings.push(`The workflow '${workflow.model}' takes no ${input.param}; it was ignored.`);
    return '';
  }
  return uploadImage(context.settings, input.image, input.param, options);
}

/** Wait for the run's history entry: woken by the socket when it works, polling /history when not. */
export async function finishRun(
  context: ComfyUIContext,
  run: Pick<StartedRun, 'promptId' | 'socket'>,
  options: CallOptions,
): Promise<HistoryEntry> {
  let socketEnded = false;
  if (run.socket) {
    const aborted = new Promise<'aborted'>((resolve) =>
      options.signal.addEventListener('abort', () => resolve('aborted'), { once: true }),
    );
    socketEnded = (await Promise.race([run.socket.ended, aborted])) === 'ended';
    run.socket.close();
  }
  // Even after the socket said "done", ComfyUI records history a moment later: poll briefly then.
  const interval = socketEnded ? Math.min(100, context.pollIntervalMs) : context.pollIntervalMs;
  for (;;) {
    options.signal.throwIfAborted();
    const entry = await readHistory(context.settings, run.promptId, options);
    const outcome = runOutcome(entry);
    if (outcome.state === 'failed') throw comfyUIExecutionError(context.settings.id, outcome);
    if (outcome.state === 'done') return entry!;
    if ((await queuePosition(context.settings, run.promptId, options)).state === 'missing') {
      // It may have finished between the two reads; only a second miss means it is gone.
      const again = runOutcome(await readHistory(context.settings, run.promptId, options));
      if (again.state === 'unknown') throw comfyUIPromptLost(context.settings.id, run.promptId);
      continue;
    }
    await delay(interval, undefined, { signal: toAbortSignal(options.signal) });
  }
}
