/**
 * The draft provider's FFmpeg is the media core's: located by `locateMediaTools` (the configured
 * `ffmpeg_path`, then the system binaries, then the npm-shipped ones) on first use, and run by
 * `createFfmpegRunner`. A test injects its own runner instead.
 */
import { AtelierError } from '../../errors/index.js';
import { locateMediaTools } from '../../media/ffmpeg-locator.js';
import { createFfmpegRunner, type FfmpegRunner } from '../../media/ffmpeg-runner.js';
import { toAbortSignal, type CancelSignal } from '../cancel-signal.js';

/** Resolves the runner, locating FFmpeg once (and again after a failed attempt, once it is installed). */
export type DraftFfmpeg = () => Promise<FfmpegRunner>;

export function draftFfmpeg(ffmpegPath: string | undefined, injected?: FfmpegRunner): DraftFfmpeg {
  if (injected) return () => Promise.resolve(injected);
  let located: Promise<FfmpegRunner> | undefined;
  return () => {
    located ??= locateMediaTools(ffmpegPath === undefined ? {} : { ffmpegPath }).then(
      (tools) => createFfmpegRunner({ ffmpegPath: tools.ffmpeg.path, ffprobePath: tools.ffprobe.path }),
      (error: unknown) => {
        located = undefined;
        throw error;
      },
    );
    return located;
  };
}

/**
 * Runs FFmpeg on inputs the draft provider wrote itself. The runner reports a failed run as the client's
 * 422 (it assumes client media); here the inputs are ours, so a failure is our 500.
 */
export async function runDraftFfmpeg(
  ffmpeg: DraftFfmpeg,
  args: string[],
  signal: CancelSignal,
): Promise<void> {
  const runner = await ffmpeg();
  try {
    await runner.ffmpeg({ args, signal: toAbortSignal(signal) });
  } catch (error) {
    if (error instanceof AtelierError && error.code === 'media_processing_failed') {
      throw new AtelierError(`The draft provider could not render with FFmpeg: ${error.message}`, {
        status: 500,
        kind: 'internal',
        code: 'ffmpeg_failed',
        retryable: false,
        cause: error,
      });
    }
    throw error;
  }
}
