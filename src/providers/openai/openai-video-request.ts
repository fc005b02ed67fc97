/**
 * Canonical VideoRequest → the multipart form of OpenAI's POST /videos (Sora). Sora takes a clip length
 * of 4, 8 or 12 seconds and a size such as 1280x720; what it cannot take becomes a warning.
 */
import { FormData } from 'undici';
import { InvalidRequestError } from '../../errors/index.js';
import type { VideoRequest } from '../media-spec.js';
import { appendFields } from '../http/multipart-form.js';
import { appendUpload } from './openai-media-http.js';
import { sizeText } from './openai-image-request.js';

export const soraSeconds = [4, 8, 12] as const;

/** Sizes for ratios, for callers that name a ratio rather than a size. */
const sizeByAspectRatio: Record<string, string> = {
  '16:9': '1280x720',
  '9:16': '720x1280',
};

export interface VideoWireForm {
  form: FormData;
  warnings: string[];
}

export function videoRequestToForm(request: VideoRequest): VideoWireForm {
  if (request.lastFrame) {
    throw new InvalidRequestError('OpenAI video models cannot take a last frame.', 'last_frame');
  }
  if (request.referenceImages?.length) {
    throw new InvalidRequestError('OpenAI video models cannot take reference images.', 'reference_images');
  }
  const warnings: string[] = [];
  const form = new FormData();
  appendFields(form, {
    model: request.model,
    prompt: request.prompt,
    seconds: request.seconds === undefined ? undefined : String(soraClipSeconds(request.seconds, warnings)),
    size: videoSize(request, warnings),
  });
  if (request.firstFrame) appendUpload(form, 'input_reference', request.firstFrame, 'first-frame');
  if (request.negativePrompt !== undefined)
    warnings.push('negativePrompt is not supported by OpenAI video models and was ignored.');
  if (request.seed !== undefined)
    warnings.push('seed is not supported by OpenAI video models and was ignored.');
  if (request.fps !== undefined)
    warnings.push('fps is not supported by OpenAI video models and was ignored.');
  return { form, warnings };
}

/** The shortest Sora clip that is at least as long as asked (12 s at most). */
function soraClipSeconds(seconds: number, warnings: string[]): number {
  const chosen = soraSeconds.find((allowed) => allowed >= seconds) ?? soraSeconds.at(-1)!;
  if (chosen !== seconds) {
    warnings.push(`OpenAI video clips last 4, 8 or 12 seconds; ${seconds} s became ${chosen} s.`);
  }
  return chosen;
}

function videoSize(request: VideoRequest, warnings: string[]): string | undefined {
  if (request.size) return sizeText(request.size);
  if (request.aspectRatio === undefined) return undefined;
  const size = sizeByAspectRatio[request.aspectRatio];
  if (!size)
    warnings.push(
      `aspectRatio ${request.aspectRatio} is not offered by OpenAI video models and was ignored.`,
    );
  return size;
}
