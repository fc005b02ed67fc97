/**
 * OpenAI's image endpoints over any image provider: POST /v1/images/generations (JSON) and
 * /v1/images/edits (multipart). Every image is also kept in the library with its prompt and model;
 * `response_format: "url"` answers with links to it, `b64_json` (the default) with the bytes.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import * as z from 'zod';
import { InvalidRequestError } from '../../../errors/index.js';
import type { MediaService } from '../../../gateway/media-service.js';
import type { MediaLibrary } from '../../../jobs/media-library.js';
import type { ImageRequest, ImageResult } from '../../../providers/media-spec.js';
import { clientGoneSignal } from '../../chat-reply.js';
import { readMultipartForm } from '../../multipart-form.js';
import { parseBody } from '../../validation.js';
import type { CancelSignal } from '../../../providers/cancel-signal.js';

const imageRequestSchema = z.looseObject({
  model: z.string().min(1),
  prompt: z.string().min(1).max(32_000),
  n: z.coerce.number().int().min(1).max(10).default(1),
  size: z
    .string()
    .regex(/^(\d{2,5}x\d{2,5}|auto)$/, 'use WIDTHxHEIGHT, e.g. 1024x1024, or auto')
    .optional(),
  quality: z.string().max(20).optional(),
  style: z.string().max(40).optional(),
  background: z.enum(['transparent', 'opaque', 'auto']).optional(),
  output_format: z.enum(['png', 'jpeg', 'webp']).optional(),
  response_format: z.enum(['b64_json', 'url']).default('b64_json'),
  negative_prompt: z.string().max(32_000).optional(),
  seed: z.coerce.number().int().optional(),
  provider_options: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});

type ImageRequestBody = z.infer<typeof imageRequestSchema>;

function toImageRequest(body: ImageRequestBody): ImageRequest {
  const size = body.size && body.size !== 'auto' ? body.size.split('x').map(Number) : undefined;
  return {
    model: body.model,
    prompt: body.prompt,
    count: body.n,
    size: size ? { width: size[0]!, height: size[1]! } : undefined,
    quality: body.quality,
    style: body.style,
    background: body.background,
    outputFormat: body.output_format,
    negativePrompt: body.negative_prompt,
    seed: body.seed,
    providerOptions: body.provider_options,
  };
}

export function registerImages(
  app: FastifyInstance,
  media: MediaService,
  library: MediaLibrary,
  options: { maxUploadBytes: number },
): void {
  async function answer(
    request: FastifyRequest,
    body: ImageRequestBody,
    imageRequest: ImageRequest,
    signal: CancelSignal,
  ) {
    const apiKeyId = request.principal.keyId;
    const routed = await media.generateImages(imageRequest, { apiKeyId, signal });
    const stored = await Promise.all(
      routed.value.images.map((image, index) =>
        library.store({
          body: image.data,
          filename: `image-${index + 1}.${image.mediaType.split('/')[1] ?? 'png'}`,
          jobId: null,
          apiKeyId,
          metadata: {
            prompt: body.prompt,
            model: body.model,
            provider: routed.provider,
            usage: routed.value.usage ?? null,
            ...routed.value.metadata,
          },
        }),
      ),
    );
    return present(
      routed.value,
      stored.map((file) => `${request.baseUrl}${file.url}`),
      body.response_format,
    );
  }

  app.post('/v1/images/generations', async (request, reply) => {
    const body = parseBody(imageRequestSchema, request.body);
    return answer(request, body, toImageRequest(body), clientGoneSignal(reply));
  });

  void app.register(async (scope) => {
    await scope.register(multipart);
    scope.post('/v1/images/edits', async (request, reply) => {
      if (!request.isMultipart())
        throw new InvalidRequestError('POST /v1/images/edits takes a multipart/form-data body.');
      const form = await readMultipartForm(request, options.maxUploadBytes);
      const body = parseBody(imageRequestSchema, form.fields);
      const images = form.files.filter((file) => file.field === 'image' || file.field === 'image[]');
      if (images.length === 0)
        throw new InvalidRequestError("Add at least one 'image' file to edit.", 'image');
      const mask = form.files.find((file) => file.field === 'mask');
      const toBinary = (file: (typeof form.files)[number]) => ({
        data: file.data,
        mediaType: file.mimeType,
        filename: file.filename,
      });
      return answer(
        request,
        body,
        {
          ...toImageRequest(body),
          inputImages: images.map(toBinary),
          mask: mask ? toBinary(mask) : undefined,
        },
        clientGoneSignal(reply),
      );
    });
  });
}

function present(result: ImageResult, urls: string[], format: 'b64_json' | 'url') {
  return {
    created: Math.floor(Date.now() / 1000),
    data: result.images.map((image, index) => ({
      ...(format === 'url' ? { url: urls[index] } : { b64_json: image.data.toString('base64') }),
      ...(image.revisedPrompt ? { revised_prompt: image.revisedPrompt } : {}),
    })),
    ...(result.usage?.inputTokens !== undefined || result.usage?.outputTokens !== undefined
      ? {
          usage: {
            input_tokens: result.usage?.inputTokens ?? 0,
            output_tokens: result.usage?.outputTokens ?? 0,
            total_tokens: (result.usage?.inputTokens ?? 0) + (result.usage?.outputTokens ?? 0),
          },
        }
      : {}),
  };
}
