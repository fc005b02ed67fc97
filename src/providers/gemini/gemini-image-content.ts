/**
 * Gemini image models ("nano banana": gemini-2.5-flash-image, gemini-3-pro-image-preview) through
 * generateContent with responseModalities TEXT+IMAGE. Source images travel as inlineData parts before
 * the prompt, which is how edits work. One call makes one image, so `count` images are `count` calls.
 */
import { InvalidRequestError } from '../../errors/index.js';
import type { GeminiGenerateContentResponse } from '../../protocols/gemini/wire-types.js';
import type { ImageRequest, ImageResult, MediaCallOptions, MediaUsage } from '../media-spec.js';
import type { ProviderSettings } from '../spec.js';
import { GEMINI_IMAGE_RATIOS, nearestAspectRatio } from './gemini-image-aspect-ratio.js';
import {
  generateContent,
  inlineDataOf,
  inlinePart,
  mediaUsageOf,
  missingMediaError,
  textOf,
} from './gemini-media-http.js';

const UNSUPPORTED = ['negativePrompt', 'quality', 'style', 'background', 'outputFormat'] as const;

export async function generateWithGeminiContent(
  settings: ProviderSettings,
  request: ImageRequest,
  options: MediaCallOptions,
): Promise<ImageResult> {
  if (request.mask) {
    throw new InvalidRequestError(
      'Gemini image models take no mask; describe the edit in the prompt.',
      'mask',
    );
  }
  if (request.providerOptions?.['gemini'] !== undefined) {
    throw new InvalidRequestError(
      'Gemini image models take no providerOptions.gemini.',
      'providerOptions.gemini',
    );
  }
  const warnings: string[] = [];
  const generationConfig: Record<string, unknown> = { responseModalities: ['TEXT', 'IMAGE'] };
  if (request.size) {
    generationConfig['imageConfig'] = {
      aspectRatio: nearestAspectRatio(request.size, GEMINI_IMAGE_RATIOS, warnings),
    };
  }
  if (request.seed !== undefined) generationConfig['seed'] = request.seed;
  for (const key of UNSUPPORTED) {
    if (request[key] !== undefined)
      warnings.push(`${key} is not supported by Gemini image models and was ignored.`);
  }
  const parts = [
    ...(request.inputImages ?? []).map((image) => inlinePart(image.data, image.mediaType)),
    { text: request.prompt },
  ];
  const body = { contents: [{ role: 'user', parts }], generationConfig };

  const answers = await Promise.all(
    Array.from({ length: request.count ?? 1 }, () => generateContent(settings, request.model, body, options)),
  );
  const result: ImageResult = { images: [] };
  const texts: string[] = [];
  for (const answer of answers) {
    const images = inlineDataOf(answer).filter((part) => part.mimeType.startsWith('image/'));
    if (images.length === 0) throw missingMediaError(settings.id, answer, 'an image');
    result.images.push(...images.map((image) => ({ data: image.data, mediaType: image.mimeType })));
    const text = textOf(answer);
    if (text) texts.push(text);
  }
  const usage = totalUsage(answers);
  if (usage) result.usage = usage;
  // The model often says a sentence about what it drew; worth keeping beside the picture.
  if (texts.length > 0) result.metadata = { text: texts.join('\n') };
  if (warnings.length > 0) result.warnings = warnings;
  return result;
}

function totalUsage(answers: GeminiGenerateContentResponse[]): MediaUsage | undefined {
  const usages = answers.map(mediaUsageOf).filter((usage) => usage !== undefined);
  if (usages.length === 0) return undefined;
  return {
    inputTokens: usages.reduce((sum, usage) => sum + (usage.inputTokens ?? 0), 0),
    outputTokens: usages.reduce((sum, usage) => sum + (usage.outputTokens ?? 0), 0),
  };
}
