/** Placeholder images: one card per requested image, PNG, JPEG or WebP, identical for identical input. */
import type { ImageCapability, ImageRequest, ImageResult, MediaCallOptions } from '../media-spec.js';
import { renderCard, seedFromPrompt } from './draft-card.js';
import { checkRange, checkSize } from './draft-limits.js';
import { contentPolicyError, isRefused } from './draft-policy.js';

const mediaTypes = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' } as const;

export function createDraftImage(providerId: string): ImageCapability {
  return {
    supports: { generate: true, edit: true, mask: true },

    async generate(request: ImageRequest, options: MediaCallOptions): Promise<ImageResult> {
      if (isRefused(request.prompt)) throw contentPolicyError(providerId);
      const size = checkSize(request.size, { width: 1024, height: 1024 });
      const count = checkRange(request.count, 1, 'n', 1, 10);
      const format = request.outputFormat ?? 'png';
      const seed = request.seed ?? seedFromPrompt(request.prompt);
      const warnings: string[] = [];
      if (request.background === 'transparent') warnings.push('Draft images are always opaque.');
      if (request.inputImages?.length || request.mask) {
        warnings.push('Draft edits ignore the input images: the card shows the prompt.');
      }
      const images = [];
      for (let index = 0; index < count; index++) {
        options.signal.throwIfAborted();
        const card = await renderCard({ prompt: request.prompt, seed, index, ...size });
        const data = await card.toFormat(format).toBuffer();
        images.push({ data, mediaType: mediaTypes[format] });
        options.onProgress?.({ fraction: (index + 1) / count, message: `Draft ${index + 1}/${count}` });
      }
      return { images, metadata: { draft: true, seed }, ...(warnings.length > 0 ? { warnings } : {}) };
    },
  };
}
