/**
 * Which files of a finished run are the result. Nodes report saved files under `images` (SaveImage, and
 * core SaveAnimatedWEBP/SaveVideo with `animated: [true]`), `gifs` (VideoHelperSuite) or `videos`.
 * Preview nodes write `type: "temp"` files, which are only the result when nothing was saved.
 */
import type { HistoryEntry, NodeOutput, OutputFile } from './comfyui-api-types.js';

const mediaTypes: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  mp4: 'video/mp4',
  webm: 'video/webm',
  mov: 'video/quicktime',
  mkv: 'video/x-matroska',
};

const videoExtensions = new Set(['mp4', 'webm', 'mov', 'mkv', 'gif']);

function extensionOf(file: OutputFile): string {
  return file.filename.split('.').pop()?.toLowerCase() ?? '';
}

export function mediaTypeOf(file: OutputFile): string {
  return mediaTypes[extensionOf(file)] ?? 'application/octet-stream';
}

function filesOf(output: NodeOutput, kind: 'image' | 'video'): OutputFile[] {
  if (kind === 'video') {
    const animatedImages =
      output.animated?.some(Boolean) === true
        ? (output.images ?? [])
        : (output.images ?? []).filter((file) => videoExtensions.has(extensionOf(file)));
    return [...(output.videos ?? []), ...(output.gifs ?? []), ...animatedImages];
  }
  if (output.animated?.some(Boolean) === true) return [];
  return (output.images ?? []).filter((file) => !videoExtensions.has(extensionOf(file)));
}

/** Result files in node order (numeric ids first, as ComfyUI numbers them). */
export function selectOutputs(
  entry: HistoryEntry,
  kind: 'image' | 'video',
  outputNode: string | undefined,
): OutputFile[] {
  const outputs = entry.outputs ?? {};
  const nodes =
    outputNode === undefined
      ? Object.keys(outputs).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))
      : [outputNode];
  const files = nodes.flatMap((node) => (outputs[node] ? filesOf(outputs[node], kind) : []));
  const saved = files.filter((file) => file.type !== 'temp');
  return saved.length > 0 ? saved : files;
}

/** The run's outcome as recorded in /history: still running, failed (with why) or finished. */
export function runOutcome(
  entry: HistoryEntry | undefined,
): { state: 'unknown' } | { state: 'failed'; message: string; interrupted: boolean } | { state: 'done' } {
  if (!entry) return { state: 'unknown' };
  if (entry.status?.status_str === 'error') {
    const messages = entry.status.messages ?? [];
    const interrupted = messages.some(([name]) => name === 'execution_interrupted');
    const failure = messages.find(([name]) => name === 'execution_error')?.[1] as
      { exception_message?: unknown; node_type?: unknown } | undefined;
    const message = interrupted
      ? 'the run was interrupted'
      : failure && typeof failure.exception_message === 'string'
        ? `${String(failure.node_type ?? 'a node')}: ${failure.exception_message.trim()}`
        : 'the run failed';
    return { state: 'failed', message, interrupted };
  }
  // Older servers write history only when done and leave `status` out.
  if (entry.status && entry.status.completed === false) return { state: 'unknown' };
  return { state: 'done' };
}
