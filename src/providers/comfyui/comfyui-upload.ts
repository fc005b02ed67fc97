/**
 * POST /upload/image (multipart: image, type=input, overwrite=false) → the name LoadImage nodes use.
 *
 * The file name is derived from the bytes: ComfyUI keeps an existing file whose content matches instead of
 * writing "name (1).png", so the same input uploaded twice is stored once.
 *
 * sendUpstream only sends JSON or text bodies, so this one call uses undici directly, over the same
 * pooled dispatcher and with the same transport-error mapping.
 */
import { createHash, randomUUID } from 'node:crypto';
import { request } from 'undici';
import { InvalidRequestError } from '../../errors/index.js';
import { joinUrl, readJson, toTransportError, upstreamFailure } from '../http/upstream-client.js';
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
  const boundary = `----atelier-${randomUUID()}`;
  const body = multipartBody(boundary, [
    { name: 'image', filename, mediaType: image.mediaType, data: image.data },
    { name: 'type', data: Buffer.from('input') },
    { name: 'overwrite', data: Buffer.from('false') },
  ]);
  let response;
  try {
    response = await request(joinUrl(settings.baseURL, '/upload/image'), {
      method: 'POST',
      headers: {
        ...settings.headers,
        ...comfyUIHeaders(options.credential),
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      body,
      signal: options.signal,
      dispatcher: settings.dispatcher,
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
    });
  } catch (error) {
    throw toTransportError(settings.id, error, options.signal);
  }
  const upstream = { status: response.statusCode, headers: response.headers, body: response.body };
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

interface Part {
  name: string;
  filename?: string;
  mediaType?: string;
  data: Buffer;
}

function multipartBody(boundary: string, parts: Part[]): Buffer {
  const pieces: Buffer[] = [];
  for (const part of parts) {
    const disposition =
      `form-data; name="${part.name}"` + (part.filename === undefined ? '' : `; filename="${part.filename}"`);
    const type = part.mediaType === undefined ? '' : `Content-Type: ${part.mediaType}\r\n`;
    pieces.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type}\r\n`));
    pieces.push(part.data, Buffer.from('\r\n'));
  }
  pieces.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(pieces);
}
