/**
 * `POST /v1/files`: a multipart form with `purpose` and `file`, in either order, and optionally OpenAI's
 * `expires_after[anchor]` (`created_at`) with `expires_after[seconds]` (one hour to 30 days). The file part is streamed
 * straight into the blob store as it arrives (never buffered whole) and staged; the fields that may follow
 * it are read; only then is the file committed to the library, or its bytes discarded.
 */
import type { FastifyRequest } from 'fastify';
import * as z from 'zod';
import { InvalidRequestError } from '../../../errors/index.js';
import type { FileService, StagedFile } from '../../../files/file-service.js';
import { payloadTooLargeError } from '../../../storage/blobs/blob-errors.js';
import type { FileRecord } from '../../../storage/repositories/file-repository.js';

const purposeSchema = z
  .string()
  .regex(/^[a-z_-]{1,64}$/, 'must be 1 to 64 lowercase letters, underscores or hyphens');

/** OpenAI's bounds for `expires_after[seconds]`: one hour to 30 days. */
const minimumExpirySeconds = 3600;
const maximumExpirySeconds = 30 * 24 * 3600;

export async function receiveUpload(
  request: FastifyRequest,
  files: FileService,
  maxUploadBytes: number,
): Promise<FileRecord> {
  if (!request.isMultipart()) {
    throw new InvalidRequestError(
      "POST /v1/files takes a multipart/form-data body with the fields 'purpose' and 'file'.",
      'file',
    );
  }
  const fields = new Map<string, string>();
  let staged: StagedFile | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'field') {
        fields.set(part.fieldname, String(part.value));
        continue;
      }
      if (part.fieldname !== 'file') {
        part.file.resume();
        throw new InvalidRequestError(
          `Unexpected file in the field '${part.fieldname}': send the file in the field 'file'.`,
          part.fieldname,
        );
      }
      staged = await files.stage({
        body: part.file,
        filename: part.filename,
        declaredMimeType: part.mimetype,
        maxBytes: maxUploadBytes,
      });
      // The multipart parser stops a file at its size limit by ending it early, not by failing it.
      if (part.file.truncated) throw payloadTooLargeError(maxUploadBytes);
    }
    if (!staged) throw new InvalidRequestError("Missing required parameter: 'file'.", 'file');
    const purpose = fields.get('purpose');
    if (purpose === undefined)
      throw new InvalidRequestError("Missing required parameter: 'purpose'.", 'purpose');
    const parsed = purposeSchema.safeParse(purpose);
    if (!parsed.success) {
      throw new InvalidRequestError(`purpose: ${parsed.error.issues[0]!.message}.`, 'purpose');
    }
    const expiresAfterSeconds = readExpiresAfter(fields);
    return await files.commit(staged, {
      purpose: parsed.data,
      apiKeyId: request.principal.keyId,
      expiresAt: expiresAfterSeconds === undefined ? null : staged.createdAt + expiresAfterSeconds * 1000,
    });
  } catch (error) {
    if (staged) await files.discard(staged);
    throw multipartFailure(error, maxUploadBytes);
  }
}

/** `expires_after[anchor]` and `expires_after[seconds]`: both or neither; the seconds after creation. */
function readExpiresAfter(fields: Map<string, string>): number | undefined {
  const anchor = fields.get('expires_after[anchor]');
  const seconds = fields.get('expires_after[seconds]');
  if (anchor === undefined && seconds === undefined) return undefined;
  if (anchor !== 'created_at') {
    throw new InvalidRequestError(
      anchor === undefined
        ? "Missing required parameter: 'expires_after[anchor]'; its only value is 'created_at'."
        : `Invalid 'expires_after[anchor]': '${anchor.slice(0, 64)}'; its only value is 'created_at'.`,
      'expires_after[anchor]',
    );
  }
  const value = seconds === undefined ? Number.NaN : Number(seconds);
  if (!/^\d+$/.test(seconds ?? '') || value < minimumExpirySeconds || value > maximumExpirySeconds) {
    throw new InvalidRequestError(
      `'expires_after[seconds]' must be a whole number of seconds from ${minimumExpirySeconds} (one hour) ` +
        `to ${maximumExpirySeconds} (30 days).`,
      'expires_after[seconds]',
    );
  }
  return value;
}

/** The multipart parser's own limit errors, in the words of this API. */
function multipartFailure(error: unknown, maxUploadBytes: number): unknown {
  switch ((error as { code?: string }).code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return payloadTooLargeError(maxUploadBytes);
    case 'FST_FILES_LIMIT':
      return new InvalidRequestError('Send exactly one file per upload.', 'file');
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new InvalidRequestError(
        "Too many form fields: send only 'purpose', 'file' and 'expires_after'.",
      );
    default:
      return error;
  }
}
