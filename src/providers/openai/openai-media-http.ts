/** What OpenAI's media endpoints (images, videos, audio) add to a call: uploads and binary answers. */
import type { FormData } from 'undici';
import { appendFile } from '../http/multipart-form.js';
import { headerValue, toTransportError, type UpstreamResponse } from '../http/upstream-client.js';
import type { BinaryInput } from '../media-spec.js';
import type { CancelSignal } from '../cancel-signal.js';

/** Extensions OpenAI recognises; it picks the decoder from the upload's file name, not its type. */
const extensionByMediaType: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/webp': 'webp',
  'image/gif': 'gif',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'audio/flac': 'flac',
  'audio/ogg': 'ogg',
  'audio/webm': 'webm',
  'audio/mp4': 'm4a',
  'audio/m4a': 'm4a',
  'video/mp4': 'mp4',
  'video/webm': 'webm',
};

function uploadFilename(input: BinaryInput, stem: string): string {
  if (input.filename) return input.filename;
  const essence = input.mediaType.split(';')[0]!.trim().toLowerCase();
  const extension = extensionByMediaType[essence] ?? essence.split('/')[1] ?? 'bin';
  return `${stem}.${extension}`;
}

/** Append bytes as a file part named like OpenAI expects. */
export function appendUpload(form: FormData, field: string, input: BinaryInput, stem: string): void {
  appendFile(form, field, {
    data: input.data,
    mediaType: input.mediaType,
    filename: uploadFilename(input, stem),
  });
}

export function contentTypeOf(response: UpstreamResponse): string | undefined {
  return headerValue(response.headers, 'content-type');
}

/** The whole body as bytes (audio answers are small: minutes of speech, a few megabytes). */
export async function readBytes(
  provider: string,
  response: UpstreamResponse,
  signal: CancelSignal,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of response.body) chunks.push(chunk as Buffer);
  } catch (error) {
    throw toTransportError(provider, error, signal);
  }
  return Buffer.concat(chunks);
}
