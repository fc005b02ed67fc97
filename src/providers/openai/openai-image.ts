/**
 * The OpenAI image capability: /images/generations for text-to-image, /images/edits (multipart) when the
 * request carries source images or a mask.
 */
import { FormData } from 'undici';
import { InvalidRequestError } from '../../errors/index.js';
import { readJson } from '../http/upstream-client.js';
import type { ImageCapability, ImageRequest, ImageResult, MediaCallOptions } from '../media-spec.js';
import type { ProviderSettings } from '../spec.js';
import { appendFields } from '../http/multipart-form.js';
import { callOpenAI } from './openai-http.js';
import { appendUpload } from './openai-media-http.js';
import { imageModelFamily, imageRequestToWire } from './openai-image-request.js';
import { imageResultFromWire } from './openai-image-response.js';

export function createOpenAIImage(settings: ProviderSettings): ImageCapability {
  const provider = settings.id;

  async function generations(request: ImageRequest, options: MediaCallOptions) {
    const { fields, warnings } = imageRequestToWire(request);
    const response = await callOpenAI(
      settings,
      { method: 'POST', path: '/images/generations', body: fields },
      options,
    );
    return { body: await readJson<unknown>(provider, response, options.signal), warnings };
  }

  async function edits(request: ImageRequest, options: MediaCallOptions) {
    const images = request.inputImages ?? [];
    if (images.length === 0) {
      throw new InvalidRequestError('A mask needs an image to apply to.', 'image');
    }
    const family = imageModelFamily(request.model);
    if (family === 'dall-e-3') {
      throw new InvalidRequestError('dall-e-3 cannot edit images; use gpt-image-1 or dall-e-2.', 'model');
    }
    if (family === 'dall-e-2' && images.length > 1) {
      throw new InvalidRequestError('dall-e-2 edits take exactly one image.', 'image');
    }
    const { fields, warnings } = imageRequestToWire(request);
    const form = new FormData();
    appendFields(form, fields);
    // gpt-image takes several images as `image[]`; dall-e-2 takes one as `image`.
    const field = family === 'dall-e-2' ? 'image' : 'image[]';
    images.forEach((image, index) => appendUpload(form, field, image, `image-${index + 1}`));
    if (request.mask) appendUpload(form, 'mask', request.mask, 'mask');
    const response = await callOpenAI(
      settings,
      { method: 'POST', path: '/images/edits', body: form },
      options,
    );
    return { body: await readJson<unknown>(provider, response, options.signal), warnings };
  }

  return {
    supports: { generate: true, edit: true, mask: true },

    async generate(request: ImageRequest, options: MediaCallOptions): Promise<ImageResult> {
      const editing = (request.inputImages?.length ?? 0) > 0 || request.mask !== undefined;
      const { body, warnings } = editing
        ? await edits(request, options)
        : await generations(request, options);
      return imageResultFromWire(provider, body, request.outputFormat, warnings);
    },
  };
}
