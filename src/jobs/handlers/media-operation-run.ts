/**
 * The run of a `media.<operation>` job, imported with the first media job: materialize the inputs into a
 * private work directory, run the typed FFmpeg operation, and keep every output in the library. HLS
 * playlists are rewritten to point at the library copies of their segments, so the stream plays from
 * /v1/files.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { InvalidRequestError } from '../../errors/index.js';
import type { FileService } from '../../files/file-service.js';
import {
  MEDIA_OPERATIONS,
  probeMedia,
  runMediaOperation,
  type MediaFacts,
  type MediaToolkit,
} from '../../media/index.js';
import { assertMediaFile } from '../../media/media-input.js';
import type { MediaOperation } from '../../media/operation.js';
import type { MediaOperationName } from '../../media/operation-names.js';
import type { MediaOperationOutput } from '../../media/run-operation.js';
import type { JobContext } from '../job-handler.js';
import type {
  MediaJobFile,
  MediaJobInput,
  MediaJobOutput,
  MediaOperationHandlerOptions,
} from './media-operation.js';
import type { MaterializedSource } from './media-source.js';

export async function runMediaJob(
  operation: MediaOperationName,
  context: JobContext<MediaJobInput>,
  options: MediaOperationHandlerOptions,
): Promise<MediaJobOutput> {
  const toolkit = await options.toolkit();
  const workDir = await mkdtemp(join(tmpdir(), `atelier-${operation}-`));
  try {
    context.progress(0, 'fetching inputs');
    const inputs = [];
    for (const [index, source] of context.input.inputs.entries()) {
      const materialized = await options.sources.materialize(
        source,
        index,
        workDir,
        context.job.apiKeyId,
        context.signal,
      );
      inputs.push({
        path: materialized.path,
        facts:
          (MEDIA_OPERATIONS[operation] as MediaOperation).inputs.kindOf?.(index) === 'subtitle'
            ? undefined
            : await knownOrProbed(toolkit, materialized, index, options.files, context.signal),
      });
    }
    context.progress(0.02, 'processing');
    const outcome = await runMediaOperation(toolkit, {
      operation,
      inputs,
      options: context.input.options,
      workDir,
      signal: context.signal,
      onProgress: (fraction) => context.progress(0.02 + fraction * 0.93, 'processing'),
      limits: options.limits,
    });
    context.progress(0.96, 'storing outputs');
    const files = await storeOutputs(outcome.outputs, options.files, operation, context.job);
    return { operation, files, result: outcome.result };
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * Facts of a library input: known from an earlier probe, or probed now and remembered on the file (its bytes
 * never change), so the next job on the same file does not pay for ffprobe again.
 */
async function knownOrProbed(
  toolkit: MediaToolkit,
  source: MaterializedSource,
  index: number,
  files: FileService,
  signal: AbortSignal,
): Promise<MediaFacts | undefined> {
  if (source.facts || !source.fileId) return source.facts;
  const param = `inputs[${index}]`;
  await assertMediaFile(source.path, param);
  const facts = await probeMedia(toolkit.runner, source.path, { signal, param });
  await files.mergeMetadata(source.fileId, { media_facts: facts }).catch(() => undefined);
  return facts;
}

async function storeOutputs(
  outputs: MediaOperationOutput[],
  files: FileService,
  operation: string,
  job: { id: string; apiKeyId: string | null },
): Promise<MediaJobFile[]> {
  const stored = new Map<string, MediaJobFile>();
  const store = async (output: MediaOperationOutput, body: Readable) => {
    const record = await files.create({
      body,
      filename: basename(output.path),
      maxBytes: Number.MAX_SAFE_INTEGER,
      purpose: 'output',
      apiKeyId: job.apiKeyId,
      jobId: job.id,
      metadata: {
        operation,
        role: output.role,
        facts: output.facts ?? null,
        // Probed facts of a primary output, so a chained job skips probing it again.
        ...(output.role === 'primary' && output.facts ? { media_facts: output.facts } : {}),
      },
    });
    const presented = files.present(record);
    stored.set(basename(output.path), {
      id: record.id,
      url: presented.url,
      filename: record.filename,
      mime_type: record.mime_type,
      bytes: record.bytes,
      role: output.role,
      facts: output.facts ?? null,
    });
  };
  for (const output of outputs.filter((candidate) => candidate.role !== 'playlist'))
    await store(output, createReadStream(output.path));
  // Playlists last, each once every file it names is stored (variants before the master).
  let pending = outputs.filter((candidate) => candidate.role === 'playlist');
  while (pending.length > 0) {
    const ready: Array<{ playlist: MediaOperationOutput; text: string }> = [];
    for (const playlist of pending) {
      const text = await readFile(playlist.path, 'utf8');
      const references = text
        .split('\n')
        .filter((line) => line && !line.startsWith('#'))
        .map((line) => line.trim());
      if (references.every((reference) => stored.has(reference))) ready.push({ playlist, text });
    }
    if (ready.length === 0)
      throw new InvalidRequestError('An HLS playlist names a file the operation did not write.');
    for (const { playlist, text } of ready) {
      const rewritten = text
        .split('\n')
        .map((line) =>
          line && !line.startsWith('#') && stored.has(line.trim()) ? stored.get(line.trim())!.url : line,
        )
        .join('\n');
      await store(playlist, Readable.from([Buffer.from(rewritten)]));
    }
    pending = pending.filter((playlist) => !ready.some((entry) => entry.playlist === playlist));
  }
  // The primary output first: other jobs take `{job_id}` inputs from it.
  const order = (file: MediaJobFile) => (file.role === 'primary' ? 0 : file.role === 'playlist' ? 1 : 2);
  return [...stored.values()].sort((a, b) => order(a) - order(b));
}
