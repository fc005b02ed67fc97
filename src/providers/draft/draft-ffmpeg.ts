/**
 * Finding and running FFmpeg for draft videos: the configured path, else `ffmpeg` as the OS resolves it
 * from PATH, else the binary shipped by @ffmpeg-installer/ffmpeg. The first that starts is remembered.
 * Always spawned with an argument array, never through a shell.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { AtelierError } from '../../errors/index.js';

export type FfmpegRunner = (args: string[], signal: AbortSignal) => Promise<void>;

const stderrTail = 4_000;

export function createFfmpegRunner(configuredPath: string | undefined): FfmpegRunner {
  let working: string | undefined;
  return async (args, signal) => {
    if (working) return run(working, args, signal);
    const candidates = configuredPath ? [configuredPath] : ['ffmpeg', ...bundledFfmpeg()];
    for (const candidate of candidates) {
      try {
        await run(candidate, args, signal);
        working = candidate;
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
    throw new AtelierError(
      `FFmpeg was not found (tried ${candidates.join(', ')}); install it or set options.ffmpeg_path.`,
      { status: 500, kind: 'internal', code: 'ffmpeg_not_found', retryable: false },
    );
  };
}

function bundledFfmpeg(): string[] {
  try {
    const installer = createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path?: unknown };
    return typeof installer.path === 'string' ? [installer.path] : [];
  } catch {
    // An optional dependency: absent on platforms it has no binary for.
    return [];
  }
}

function run(binary: string, args: string[], signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'], signal });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-stderrTail);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve();
      else if (!signal.aborted) {
        reject(
          new AtelierError(`FFmpeg failed to render the draft video (exit ${code}): ${stderr.trim()}`, {
            status: 500,
            kind: 'internal',
            code: 'ffmpeg_failed',
            retryable: false,
          }),
        );
      }
    });
  });
}
