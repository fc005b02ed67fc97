/**
 * Imagen through the Gemini API: POST /v1beta/models/{imagen-*}:predict with
 * `{instances:[{prompt}], parameters:{sampleCount, aspectRatio, negativePrompt, seed, personGeneration}}`,
 * answered by `{predictions:[{bytesBase64Encoded, mimeType}]}`. Imagen only generates; it cannot edit.
 */
import { InvalidRequestError } from '../../errors/index.js';
import type { ImageRequest, ImageResult, MediaCallOptions } from '../media-spec.js';
import type { ProviderSettings } from '../spec.js';
import { nearestAspectRatio, IMAGEN_RATIOS } from './gemini-image-aspect-ratio.js';
import { callGemini } from './gemini-http.js';
import { contentPolicyError, modelMethodPath } from './gemini-media-http.js';
import { geminiImageOptions } from './gemini-image-options.js';

export const isImagenModel = (model: string) => /^(models\/)?imagen-/.test(model);

interface ImagenAnswer {
  predictions?: Array<{ bytesBase64Encoded?: string; mimeType?: string; raiFilteredReason?: string }>;
}

/** Settings Imagen has no field for. */
const UNSUPPORTED = ['quality', 'style', 'background', 'outputFormat'] as const;

export async function generateWithImagen(
  settings: ProviderSettings,
  request: ImageRequest,
  options: MediaCallOptions,
): Promise<ImageResult> {
  if (request.inputImages?.length || request.mask) {
    throw new InvalidRequestError(
      `${request.model} only generates images; use a Gemini image model (gemini-2.5-flash-image) to edit.`,
      request.mask ? 'mask' : 'image',
    );
  }
  const warnings: string[] = [];
  const parameters: Record<string, unknown> = { sampleCount: request.count ?? 1 };
  if (request.size) parameters['aspectRatio'] = nearestAspectRatio(request.size, IMAGEN_RATIOS, warnings);
  if (request.negativePrompt !== undefined) parameters['negativePrompt'] = request.negativePrompt;
  if (request.seed !== undefined) parameters['seed'] = request.seed;
  Object.assign(parameters, geminiImageOptions(request.providerOptions));
  for (const key of UNSUPPORTED) {
    if (request[key] !== undefined) warnings.push(`${key} is not supported by Imagen and was ignored.`);
  }

  const answer = await callGemini<ImagenAnswer>(
    settings,
    {
      method: 'POST',
      path: modelMethodPath(request.model, 'predict'),
      body: { instances: [{ prompt: request.prompt }], parameters },
    },
    options,
  );
  const predictions = answer.predictions ?? [];
  const images = predictions.flatMap((prediction) =>
    prediction.bytesBase64Encoded
      ? [
          {
            data: Buffer.from(prediction.bytesBase64Encoded, 'base64'),
            mediaType: prediction.mimeType ?? 'image/png',
          },
        ]
      : [],
  );
  if (images.length === 0) {
    // Imagen drops filtered images silently (or names a reason when asked to); none left means refused.
    const reasons = predictions.flatMap((prediction) =>
      prediction.raiFilteredReason ? [prediction.raiFilteredReason] : [],
    );
    throw contentPolicyError(
      settings.id,
      `Imagen returned no image${reasons.length ? `: ${reasons.join('; ')}` : '; the prompt was likely filtered.'}`,
      'IMAGE_SAFETY',
      JSON.stringify(answer).slice(0, 2000),
    );
  }
  const result: ImageResult = { images };
  if (images.length < (request.count ?? 1))
    warnings.push(`Imagen filtered ${(request.count ?? 1) - images.length} image(s).`);
  if (warnings.length > 0) result.warnings = warnings;
  return result;
}
