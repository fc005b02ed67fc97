/**
 * POST /upload/image (multipart: image, type=input, overwrite=false) → the name LoadImage nodes use.
 *
 * The file name is derived from the bytes: ComfyUI keeps an existing file whose content matches instead of
 * writing "name (1).png", so the same input uploaded twice is stored once.
 */
import { createHash } from 'node:crypto';
import { FormData } from 'undici';
import { InvalidRequestError } from '../../errors/index.js';
import { appendFields, appendFile } from '../http/multipart-form.js';
import { readJson, sendUpstream, upstreamFailure } from '../http/upstream-client.js';
import type { BinaryInput } from '../media-spec.js';
import type { CallOptions, ProviderSettings } from '../spec.js';
import { uploadedImageSchema } from './comfyui-api-types.js';
import { comfyUIHeaders } from './comfyui-client.js';
import { comfyUIMalformedResponse, parseComfyUIError } from './comfyui-errors.js';

const extensions: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'image/bmp': 'bmp',
  'image/tiff': 'tiff',
};

export async function uploadImage(
  settings: ProviderSettings,
  image: BinaryInput,
  param: string,
  options: CallOptions,
): Promise<string> {
  const extension = extensions[image.mediaType];
  if (!extension) {
    throw new InvalidRequestError(
      `${param} is ${image.mediaType}; ComfyUI's LoadImage needs one of ${Object.keys(extensions).join(', ')}.`,
      param,
    );
  }
  const filename = `atelier-${createHash('sha256').update(image.data).digest('hex').slice(0, 24)}.${extension}`;
  const form = new FormData();
  appendFile(form, 'image', { data: image.data, mediaType: image.mediaType, filename });
  appendFields(form, { type: 'input', overwrite: 'false' });
  const upstream = await sendUpstream(settings, {
    method: 'POST',
    path: '/upload/image',
    headers: comfyUIHeaders(options.credential),
    body: form,
    signal: options.signal,
  });
  if (upstream.status < 200 || upstream.status >= 300) {
    throw await upstreamFailure(settings.id, upstream, parseComfyUIError(settings.id));
  }
  const parsed = uploadedImageSchema.safeParse(
    await readJson<unknown>(settings.id, upstream, options.signal),
  );
  if (!parsed.success) throw comfyUIMalformedResponse(settings.id, '/upload/image: no name in the answer');
  // LoadImage addresses files in subfolders of input/ as "subfolder/name".
  return parsed.data.subfolder ? `${parsed.data.subfolder}/${parsed.data.name}` : parsed.data.name;
}
