/**
 * The media core's one entry point: validate options, vet and probe inputs, enforce limits, run the
 * operation inside the caller's work directory, and describe its outputs. Jobs and routes sit on top.
 */
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as z from 'zod';
import { AtelierError, InternalError, InvalidRequestError } from '../errors/index.js';
import type { MediaFacts } from './media-facts.js';
import { assertLocalPath, assertMediaFile } from './media-input.js';
import type { MediaToolkit } from './media-toolkit.js';
import type {
  LocalInput,
  MediaLimits,
  MediaOperation,
  OperationContext,
  OperationOutput,
  ProbedInput,
} from './operation.js';
import { isMediaOperationName } from './operation-names.js';
import { MEDIA_OPERATIONS } from './operations/index.js';
import { probeMedia } from './probe.js';

export interface RunMediaOperationRequest {
  operation: string;
  inputs: LocalInput[];
  options: unknown;
  /** Created and removed by the caller; every file the run writes lands here. */
  workDir: string;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
  limits: MediaLimits;
}

export interface MediaOperationOutput extends OperationOutput {
  bytes: number;
}

export interface MediaOperationResult {
  outputs: MediaOperationOutput[];
  result: Record<string, unknown>;
}

/** Parse options with the operation's schema; the first problem becomes a 400 naming the field. */
export function parseOperationOptions<Schema extends z.ZodType>(
  operation: MediaOperation<Schema>,
  options: unknown,
): z.output<Schema> {
  const parsed = operation.schema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = ['options', ...(issue?.path ?? []).map(String)].join('.');
  throw new InvalidRequestError(`${field}: ${issue?.message ?? 'invalid value'}`, field);
}

function limitError(message: string, param: string, code: string): AtelierError {
  return new AtelierError(message, { status: 413, kind: 'payload_too_large', code, param, retryable: false });
}

function enforceInputLimits(facts: MediaFacts, limits: MediaLimits, param: string): void {
  if (facts.durationSeconds !== undefined && facts.durationSeconds > limits.maxDurationSeconds) {
    throw limitError(
      `This input lasts ${facts.durationSeconds.toFixed(1)} s; the limit is ${limits.maxDurationSeconds} s.`,
      param,
      'input_too_long',
    );
  }
  if (facts.video && facts.video.width * facts.video.height > limits.maxPixels) {
    throw limitError(
      `This input is ${facts.video.width}x${facts.video.height}; the limit is ${limits.maxPixels} pixels.`,
      param,
      'input_too_large',
    );
  }
}

export async function runMediaOperation(
  toolkit: MediaToolkit,
  request: RunMediaOperationRequest,
): Promise<MediaOperationResult> {
  if (!isMediaOperationName(request.operation)) {
    throw new InvalidRequestError(
      `Unknown media operation '${request.operation}'.`,
      'operation',
      'unknown_operation',
    );
  }
  const operation = MEDIA_OPERATIONS[request.operation] as MediaOperation;
  const options: unknown = parseOperationOptions(operation, request.options);
  const { min, max } = operation.inputs;
  if (request.inputs.length < min || request.inputs.length > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw new InvalidRequestError(
      `${request.operation} takes ${expected} input(s), not ${request.inputs.length}.`,
      request.inputs.length === 1 || max === 1 ? 'input' : 'inputs',
    );
  }

  const deadline = Date.now() + request.limits.timeoutMs;
  const remaining = (): number => {
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new AtelierError(`The operation did not finish within ${request.limits.timeoutMs} ms.`, {
        status: 408,
        kind: 'timeout',
        code: 'processing_timeout',
        retryable: false,
      });
    }
    return left;
  };
  const wantsLoudness = operation.wantsLoudness?.(options) ?? false;
  const inputs: ProbedInput[] = [];
  for (const [index, input] of request.inputs.entries()) {
    const param = `inputs[${index}]`;
    const kind = operation.inputs.kindOf?.(index) ?? 'media';
    assertLocalPath(input.path, param);
    if (kind === 'subtitle') {
      inputs.push({ path: input.path, kind, facts: undefined });
      continue;
    }
    let facts = input.facts;
    if (facts === undefined || (wantsLoudness && facts.loudness === undefined)) {
      await assertMediaFile(input.path, param);
      facts = await probeMedia(toolkit.runner, input.path, {
        signal: request.signal,
        loudness: wantsLoudness,
        timeoutMs: remaining(),
        param,
      });
    }
    enforceInputLimits(facts, request.limits, param);
    inputs.push({ path: input.path, kind, facts });
  }

  let reported = 0;
  const reportProgress = (fraction: number): void => {
    const bounded = Math.min(1, Math.max(0, fraction));
    if (bounded <= reported) return;
    reported = bounded;
    request.onProgress?.(bounded);
  };
  const pathFor = (name: string): string => {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/u.test(name)) throw new InternalError(`Bad work file name: ${name}`);
    return join(request.workDir, name);
  };
  const context: OperationContext<unknown> = {
    options,
    inputs,
    workDir: request.workDir,
    toolkit,
    limits: request.limits,
    signal: request.signal,
    pathFor,
    async writeFile(name, content) {
      const path = pathFor(name);
      await writeFile(path, content, { encoding: 'utf8', flag: 'wx' });
      return path;
    },
    assertPixels(width, height, param) {
      if (width * height > request.limits.maxPixels) {
        throw limitError(
          `${width}x${height} exceeds the limit of ${request.limits.maxPixels} pixels.`,
          `options.${param}`,
          'output_too_large',
        );
      }
    },
    reportProgress,
    ffmpeg(step) {
      const [from, to] = step.span ?? [0, 1];
      return toolkit.runner.ffmpeg({
        args: step.args,
        signal: request.signal,
        timeoutMs: remaining(),
        durationSeconds: step.durationSeconds,
        onProgress: (fraction) => reportProgress(from + fraction * (to - from)),
        onStderrLine: step.onStderrLine,
      });
    },
  };

  const outcome = await operation.execute(context);
  const outputs: MediaOperationOutput[] = [];
  let totalBytes = 0;
  for (const output of outcome.outputs) {
    const { size } = await stat(output.path);
    totalBytes += size;
    if (totalBytes > request.limits.maxOutputBytes) {
      throw limitError(
        `The output exceeds the limit of ${request.limits.maxOutputBytes} bytes.`,
        'options',
        'output_too_large',
      );
    }
    const facts =
      output.role === 'primary' && output.facts === undefined
        ? {
            ...(await probeMedia(toolkit.runner, output.path, {
              signal: request.signal,
              timeoutMs: remaining(),
            })),
          }
        : output.facts;
    outputs.push({ ...output, bytes: size, ...(facts === undefined ? {} : { facts }) });
  }
  reportProgress(1);
  return { outputs, result: outcome.result };
}
