/**
 * Canonical VideoRequest → Veo's predictLongRunning body:
 * `{instances:[{prompt, image?, lastFrame?, referenceImages?}], parameters:{aspectRatio, durationSeconds,
 * negativePrompt, seed, resolution, personGeneration}}`. Images travel inline as bytesBase64Encoded.
 */
import { InvalidRequestError } from '../../errors/index.js';
import type { BinaryInput, VideoRequest } from '../media-spec.js';
import { nearestAspectRatio, VEO_RATIOS } from './gemini-image-aspect-ratio.js';
import { geminiImageOptions } from './gemini-image-options.js';

export interface VeoWireRequest {
  body: { instances: Array<Record<string, unknown>>; parameters: Record<string, unknown> };
  warnings: string[];
}

const inlineImage = (input: BinaryInput) => ({
  bytesBase64Encoded: input.data.toString('base64'),
  mimeType: input.mediaType,
});

export function veoRequestToWire(request: VideoRequest): VeoWireRequest {
  if (request.lastFrame && !request.firstFrame) {
    throw new InvalidRequestError(
      'Veo interpolates between frames: a last frame needs a first frame.',
      'first_frame',
    );
  }
  const warnings: string[] = [];
  const instance: Record<string, unknown> = { prompt: request.prompt };
  if (request.firstFrame) instance['image'] = inlineImage(request.firstFrame);
  if (request.lastFrame) instance['lastFrame'] = inlineImage(request.lastFrame);
  if (request.referenceImages?.length) {
    instance['referenceImages'] = request.referenceImages.map((image) => ({
      image: inlineImage(image),
      referenceType: 'asset',
    }));
  }

  const parameters: Record<string, unknown> = {};
  if (request.aspectRatio !== undefined) {
    if (!VEO_RATIOS.includes(request.aspectRatio)) {
      throw new InvalidRequestError(
        `Veo offers the aspect ratios ${VEO_RATIOS.join(' and ')}.`,
        'aspect_ratio',
      );
    }
    parameters['aspectRatio'] = request.aspectRatio;
  } else if (request.size) {
    parameters['aspectRatio'] = nearestAspectRatio(request.size, VEO_RATIOS, warnings);
  }
  // Veo renders 720p or 1080p; the shorter side of the asked size says which.
  if (request.size)
    parameters['resolution'] = Math.min(request.size.width, request.size.height) >= 1080 ? '1080p' : '720p';
  if (request.seconds !== undefined) {
    const seconds = Math.round(request.seconds);
    if (seconds !== request.seconds)
      warnings.push(`Veo takes whole seconds; ${request.seconds} s became ${seconds} s.`);
    parameters['durationSeconds'] = seconds;
  }
  if (request.negativePrompt !== undefined) parameters['negativePrompt'] = request.negativePrompt;
  if (request.seed !== undefined) parameters['seed'] = request.seed;
  Object.assign(parameters, geminiImageOptions(request.providerOptions));
  if (request.fps !== undefined) warnings.push('fps is not supported by Veo and was ignored.');
  return { body: { instances: [instance], parameters }, warnings };
}
