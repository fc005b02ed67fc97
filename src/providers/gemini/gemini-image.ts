/**
 * The Gemini image capability: Imagen models through :predict (generate only), Gemini image models
 * through :generateContent (generate and edit). Which one is decided per model on each call.
 */
import type { ImageCapability, ImageRequest, ImageResult, MediaCallOptions } from '../media-spec.js';
import type { ProviderSettings } from '../spec.js';
import { generateWithGeminiContent } from './gemini-image-content.js';
import { generateWithImagen, isImagenModel } from './gemini-imagen.js';

export function createGeminiImage(settings: ProviderSettings): ImageCapability {
  return {
    // Edits hold for Gemini image models; Imagen refuses them with a clear 400 naming the field.
    supports: { generate: true, edit: true, mask: false },
    generate(request: ImageRequest, options: MediaCallOptions): Promise<ImageResult> {
      return isImagenModel(request.model)
        ? generateWithImagen(settings, request, options)
        : generateWithGeminiContent(settings, request, options);
    },
  };
}
