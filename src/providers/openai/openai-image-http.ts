/**
 * HTTP for OpenAI's media endpoints (images, videos, audio): JSON through sendUpstream, and multipart
 * uploads, which sendUpstream cannot send (it JSON-encodes bodies), through undici's `request` with the
 * provider's own dispatcher and timeouts. Any non-2xx answer becomes a ProviderError from OpenAI's body.
 *
 * It lives beside the image capability, its first user; video and transcription upload through it too.
 */
import { request } from 'undici';
import type { FormData } from 'undici';
import { ProviderError } from '../../errors/index.js';
import {
  headerValue,
  joinUrl,
  sendUpstream,
  toTransportError,
  upstreamFailure,
  type UpstreamResponse,
} from '../http/upstream-client.js';
import type { BinaryInput } from '../media-spec.js';
import type { CallOptions, ProviderSettings } from '../spec.js';
import { parseOpenAIError } from './openai-errors.js';
import { authorizationHeaders } from './openai-headers.js';

export interface OpenAIMediaRequest {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  /** A JSON body, or a multipart form (never both). */
  json?: unknown;
  form?: FormData;
}

export async function callOpenAI(
  settings: ProviderSettings,
  input: OpenAIMediaRequest,
  options: CallOptions,
): Promise<UpstreamResponse> {
  const response = input.form
    ? await sendMultipart(settings, input.path, input.form, options)
    : await sendUpstream(settings, {
        method: input.method,
        path: input.path,
        headers: authorizationHeaders(options.credential),
        body: input.json,
        signal: options.signal,
      });
  if (response.status < 200 || response.status >= 300) {
    throw await upstreamFailure(settings.id, response, (failure) =>
      parseOpenAIError({ provider: settings.id, ...failure }),
    );
  }
  return response;
}

async function sendMultipart(
  settings: ProviderSettings,
  path: string,
  form: FormData,
  options: CallOptions,
): Promise<UpstreamResponse> {
  try {
    // undici writes the multipart body and its content-type (with the boundary) from the FormData.
    const response = await request(joinUrl(settings.baseURL, path), {
      method: 'POST',
      headers: { ...settings.headers, ...authorizationHeaders(options.credential) },
      body: form,
      signal: options.signal,
      dispatcher: settings.dispatcher,
      headersTimeout: settings.timeoutMs,
      bodyTimeout: settings.timeoutMs,
    });
    return { status: response.statusCode, headers: response.headers, body: response.body };
  } catch (error) {
    throw toTransportError(settings.id, error, options.signal);
  }
}

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

export function uploadFilename(input: BinaryInput, stem: string): string {
  if (input.filename) return input.filename;
  const essence = input.mediaType.split(';')[0]!.trim().toLowerCase();
  const extension = extensionByMediaType[essence] ?? essence.split('/')[1] ?? 'bin';
  return `${stem}.${extension}`;
}

/** Append bytes as a file part named like the vendor expects. */
export function appendFile(form: FormData, field: string, input: BinaryInput, stem: string): void {
  // A copy into a plain Uint8Array: Blob wants an ArrayBuffer-backed view, a Buffer may be pooled.
  const blob = new Blob([new Uint8Array(input.data)], { type: input.mediaType });
  form.append(field, blob, uploadFilename(input, stem));
}

/** Append scalar fields, skipping absent ones; numbers travel as their decimal text. */
export function appendFields(form: FormData, fields: Record<string, string | number | undefined>): void {
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined) form.append(name, String(value));
  }
}

export function contentTypeOf(response: UpstreamResponse): string | undefined {
  return headerValue(response.headers, 'content-type');
}

/** A 2xx answer without what the endpoint promises: the upstream misbehaved, another may not. */
export function invalidResponseError(provider: string, what: string, body: unknown): ProviderError {
  return new ProviderError(`Upstream ${provider} answered without ${what}.`, {
    status: 502,
    kind: 'upstream',
    code: 'upstream_invalid_response',
    provider,
    retryable: true,
    credentialEffect: 'failure',
    upstreamBody: JSON.stringify(body)?.slice(0, 2000),
  });
}

/** The whole body as bytes (audio answers are small: minutes of speech, a few megabytes). */
export async function readBytes(
  provider: string,
  response: UpstreamResponse,
  signal: AbortSignal,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of response.body) chunks.push(chunk as Buffer);
  } catch (error) {
    throw toTransportError(provider, error, signal);
  }
  return Buffer.concat(chunks);
}
