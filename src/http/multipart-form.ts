/**
 * A small multipart form (media endpoints: an image or two, an audio clip) read into memory with limits.
 * Uploads meant for the library stream instead (routes/files/upload.ts).
 */
import type { FastifyRequest } from 'fastify';
import { AtelierError, InvalidRequestError } from '../errors/index.js';

export interface FormFile {
  field: string;
  filename: string;
  mimeType: string;
  data: Buffer;
}

export interface MultipartForm {
  fields: Record<string, string>;
  files: FormFile[];
}

export function isMultipart(request: FastifyRequest): boolean {
  return request.isMultipart();
}

export async function readMultipartForm(
  request: FastifyRequest,
  maxFileBytes: number,
): Promise<MultipartForm> {
  const form: MultipartForm = { fields: {}, files: [] };
  try {
    for await (const part of request.parts({ limits: { fileSize: maxFileBytes, files: 16, fields: 64 } })) {
      if (part.type === 'file') {
        const data = await part.toBuffer();
        if (part.file.truncated) throw tooLarge(part.fieldname, maxFileBytes);
        form.files.push({
          field: part.fieldname,
          filename: part.filename || part.fieldname,
          mimeType: part.mimetype,
          data,
        });
      } else {
        form.fields[part.fieldname] = String(part.value);
      }
    }
  } catch (error) {
    if (error instanceof AtelierError) throw error;
    const code = (error as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw tooLarge('file', maxFileBytes);
    if (code?.startsWith('FST_'))
      throw new InvalidRequestError(`Malformed multipart body: ${(error as Error).message}`);
    throw error;
  }
  return form;
}

function tooLarge(field: string, maxFileBytes: number): AtelierError {
  return new AtelierError(`'${field}' is larger than ${Math.round(maxFileBytes / 1024 / 1024)} MB.`, {
    status: 413,
    kind: 'payload_too_large',
    code: 'file_too_large',
    param: field,
    retryable: false,
  });
}
