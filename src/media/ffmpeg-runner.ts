/**
 * Runs ffmpeg and ffprobe: argument arrays only (no shell), every input a local file under the protocol
 * whitelist, progress parsed from `-progress pipe:1`, cancellation that kills the whole process group,
 * a wall-time limit, and a bounded stderr tail turned into a readable error on failure.
 */
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { AtelierError, InternalError } from '../errors/index.js';
import { ProgressTracker } from './progress-parser.js';

export type SpawnProcess = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

export interface FfmpegRunnerOptions {
  ffmpegPath: string;
  ffprobePath: string;
  spawn?: SpawnProcess;
  /** Time between SIGTERM and SIGKILL when cancelling. */
  killGraceMs?: number;
  maxStderrBytes?: number;
}

export interface ToolRunRequest {
  args: string[];
  signal?: AbortSignal;
  timeoutMs?: number;
  /** For progress: the probed length of the media being processed. */
  durationSeconds?: number;
  onProgress?: (fraction: number) => void;
  /** Every stderr line as it arrives (scene detection reads showinfo lines here, unbounded). */
  onStderrLine?: (line: string) => void;
}

export interface ToolRunResult {
  stdout: string;
  stderrTail: string;
}

export interface FfmpegRunner {
  ffmpeg(request: ToolRunRequest): Promise<ToolRunResult>;
  ffprobe(request: ToolRunRequest): Promise<ToolRunResult>;
}

export const PROTOCOL_WHITELIST = 'file,pipe';

/**
 * Refuse an argument list whose inputs are not absolute local paths opened under the file/pipe protocol
 * whitelist. Builders always produce such lists; this catches a builder bug before FFmpeg runs.
 */
export function assertLocalInputs(args: readonly string[]): void {
  let whitelisted = false;
  args.forEach((argument, index) => {
    if (argument === '-protocol_whitelist') whitelisted = args[index + 1] === PROTOCOL_WHITELIST;
    if (argument === '-i') {
      const path = args[index + 1] ?? '';
      if (!whitelisted || !isAbsolute(path)) {
        throw new InternalError(`Refusing to run FFmpeg on a non-local or unguarded input: ${path}`);
      }
      whitelisted = false;
    }
  });
}

const STANDARD_FFMPEG_ARGS = ['-hide_banner', '-nostdin', '-y', '-nostats', '-progress', 'pipe:1'];

export function createFfmpegRunner(options: FfmpegRunnerOptions): FfmpegRunner {
  const spawnProcess = options.spawn ?? nodeSpawn;
  const killGraceMs = options.killGraceMs ?? 2000;
  const maxStderrBytes = options.maxStderrBytes ?? 64 * 1024;

  const run = (
    command: string,
    args: string[],
    request: ToolRunRequest,
    tool: string,
  ): Promise<ToolRunResult> =>
    new Promise((resolve, reject) => {
      request.signal?.throwIfAborted();
      // detached: the child leads its own process group, so cancelling reaches anything it started.
      const child = spawnProcess(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      const tracker = request.onProgress
        ? new ProgressTracker({ durationSeconds: request.durationSeconds, onProgress: request.onProgress })
        : undefined;
      let stdout = '';
      let stderrTail = '';
      let partialLine = '';
      let stopReason: 'aborted' | 'timeout' | undefined;
      let killTimer: NodeJS.Timeout | undefined;

      const stop = (reason: 'aborted' | 'timeout'): void => {
        if (stopReason) return;
        stopReason = reason;
        signalGroup(child, 'SIGTERM');
        killTimer = setTimeout(() => signalGroup(child, 'SIGKILL'), killGraceMs);
      };
      const onAbort = (): void => stop('aborted');
      request.signal?.addEventListener('abort', onAbort, { once: true });
      const wallTimer =
        request.timeoutMs === undefined ? undefined : setTimeout(() => stop('timeout'), request.timeoutMs);

      child.stdout?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => {
        if (tracker) tracker.push(chunk);
        else stdout += chunk;
      });
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (chunk: string) => {
        stderrTail += chunk;
        if (stderrTail.length > 2 * maxStderrBytes) stderrTail = stderrTail.slice(-maxStderrBytes);
        if (request.onStderrLine) {
          const lines = (partialLine + chunk).split('\n');
          partialLine = lines.pop() ?? '';
          for (const line of lines) request.onStderrLine(line);
        }
      });

      const cleanUp = (): void => {
        request.signal?.removeEventListener('abort', onAbort);
        if (wallTimer) clearTimeout(wallTimer);
        if (killTimer) clearTimeout(killTimer);
      };
      child.once('error', (error: NodeJS.ErrnoException) => {
        cleanUp();
        reject(
          new AtelierError(`${tool} could not be started: ${error.message}`, {
            status: 503,
            kind: 'internal',
            code: 'media_tool_unavailable',
            retryable: false,
            cause: error,
          }),
        );
      });
      child.once('close', (code, signal) => {
        cleanUp();
        if (request.onStderrLine && partialLine !== '') request.onStderrLine(partialLine);
        stderrTail = stderrTail.slice(-maxStderrBytes);
        if (stopReason === 'aborted') {
          reject(request.signal?.reason ?? new DOMException('The operation was aborted.', 'AbortError'));
        } else if (stopReason === 'timeout') {
          reject(
            new AtelierError(`${tool} did not finish within ${request.timeoutMs} ms and was stopped.`, {
              status: 408,
              kind: 'timeout',
              code: 'processing_timeout',
              retryable: false,
            }),
          );
        } else if (code !== 0) {
          reject(toolFailure(tool, code, signal, stderrTail));
        } else {
          tracker?.finish();
          resolve({ stdout, stderrTail });
        }
      });
    });

  return {
    ffmpeg(request) {
      assertLocalInputs(request.args);
      return run(options.ffmpegPath, [...STANDARD_FFMPEG_ARGS, ...request.args], request, 'FFmpeg');
    },
    ffprobe(request) {
      assertLocalInputs(request.args);
      return run(options.ffprobePath, ['-hide_banner', ...request.args], request, 'ffprobe');
    },
  };
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone (or the injected fake has none): signal the child itself.
    child.kill(signal);
  }
}

/** A failed run as a readable 422: the last meaningful stderr lines say what FFmpeg disliked. */
function toolFailure(tool: string, code: number | null, signal: NodeJS.Signals | null, stderrTail: string) {
  const lines = stderrTail
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  const summary = lines.slice(-6).join(' | ');
  const how = code === null ? `was killed by ${signal ?? 'a signal'}` : `exited with code ${code}`;
  return new AtelierError(`${tool} ${how}: ${summary || 'no error output'}`, {
    status: 422,
    kind: 'invalid_request',
    code: 'media_processing_failed',
    retryable: false,
  });
}
