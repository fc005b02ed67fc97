/** The shape every media operation has: a zod schema for its options and an execute step. */
import type * as z from 'zod';
import type { ToolRunResult } from './ffmpeg-runner.js';
import type { MediaFacts } from './media-facts.js';
import type { MediaToolkit } from './media-toolkit.js';

export interface LocalInput {
  /** A file Atelier wrote (upload, download through the SSRF guard, another job's output). */
  path: string;
  /** Facts from an earlier probe; probed here when absent. */
  facts?: MediaFacts;
}

/** Media inputs are probed; subtitle inputs are parsed and rewritten by the operation, never probed. */
export type InputKind = 'media' | 'subtitle';

export interface ProbedInput {
  path: string;
  kind: InputKind;
  /** Present for media inputs. */
  facts: MediaFacts | undefined;
}

export interface MediaLimits {
  maxDurationSeconds: number;
  /** Largest width × height accepted in inputs or asked for in outputs. */
  maxPixels: number;
  maxOutputBytes: number;
  /** Wall time for the whole operation. */
  timeoutMs: number;
}

export type OutputRole = 'primary' | 'thumbnail' | 'sprite' | 'playlist' | 'segment' | 'subtitle';

export interface OperationOutput {
  path: string;
  mimeType: string;
  role: OutputRole;
  facts?: Record<string, unknown>;
}

export interface OperationOutcome {
  outputs: OperationOutput[];
  result: Record<string, unknown>;
}

export interface FfmpegStep {
  args: string[];
  /** Length of the media this step walks through, for progress. */
  durationSeconds?: number;
  /** The slice of the operation's progress this step covers, default [0, 1]. */
  span?: [number, number];
  onStderrLine?: (line: string) => void;
}

export interface OperationContext<Options> {
  options: Options;
  inputs: ProbedInput[];
  workDir: string;
  toolkit: MediaToolkit;
  limits: MediaLimits;
  signal: AbortSignal | undefined;
  ffmpeg(step: FfmpegStep): Promise<ToolRunResult>;
  /** A path inside the work directory; names are ours, never the user's. */
  pathFor(name: string): string;
  /** Write a file of ours (overlay text, clean subtitles) into the work directory. */
  writeFile(name: string, content: string): Promise<string>;
  /** Refuse an output size above the pixel limit, naming the option. */
  assertPixels(width: number, height: number, param: string): void;
  reportProgress(fraction: number): void;
}

export interface InputSpecification {
  min: number;
  max: number;
  kindOf?: (index: number) => InputKind;
}

export interface MediaOperation<Schema extends z.ZodType = z.ZodType> {
  name: string;
  schema: Schema;
  inputs: InputSpecification;
  /** Probe inputs with loudness measurement (probe with `loudness: true`). */
  wantsLoudness?: (options: z.output<Schema>) => boolean;
  execute(context: OperationContext<z.output<Schema>>): Promise<OperationOutcome>;
}

/** Keeps each operation's options type tied to its schema. */
export function defineOperation<Schema extends z.ZodType>(
  operation: MediaOperation<Schema>,
): MediaOperation<Schema> {
  return operation;
}
