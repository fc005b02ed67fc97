/**
 * Serving a file's bytes over HTTP: one byte range (206) or the whole file, with the headers that let
 * browsers and players seek and cache (ETag, Accept-Ranges), stop them guessing a type (nosniff), and keep
 * any script in user content (an XML or SVG file opened directly) from running on our origin (sandbox).
 * Other routes that serve library files (video content) use it too.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AtelierError } from '../../../errors/index.js';
import { decideRange } from '../../../files/byte-range.js';
import type { FileService } from '../../../files/file-service.js';
import type { FileRecord } from '../../../storage/repositories/file-repository.js';
import { contentDisposition } from './content-disposition.js';

export async function sendFileContent(
  request: FastifyRequest,
  reply: FastifyReply,
  files: FileService,
  record: FileRecord,
): Promise<FastifyReply> {
  const size = record.bytes;
  const entityTag = `"${record.sha256}"`;
  reply
    .header('accept-ranges', 'bytes')
    .header('etag', entityTag)
    .header('content-type', contentTypeHeader(record.mime_type))
    .header('content-disposition', contentDisposition(record.filename))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; sandbox");

  if (request.headers['if-none-match'] === entityTag) return reply.code(304).send();

  // A range asked against another version of the file (If-Range) gets the whole current file.
  const ifRange = request.headers['if-range'];
  const range = ifRange === undefined || ifRange === entityTag ? request.headers.range : undefined;
  const decision = decideRange(range, size);
  if (decision.kind === 'unsatisfiable') {
    reply.header('content-range', `bytes */${size}`);
    throw new AtelierError(`The range '${range}' is outside the file (${size} bytes).`, {
      status: 416,
      kind: 'invalid_request',
      code: 'range_not_satisfiable',
      param: 'range',
      retryable: false,
    });
  }
  if (decision.kind === 'partial') {
    const { start, end } = decision;
    const stream = await files.openBlob(record, { start, end });
    return reply
      .code(206)
      .header('content-range', `bytes ${start}-${end}/${size}`)
      .header('content-length', end - start + 1)
      .send(stream);
  }
  const stream = await files.openBlob(record);
  return reply.header('content-length', size).send(stream);
}

/** Text was only labelled text after it proved to be valid UTF-8, so say so. */
function contentTypeHeader(mimeType: string): string {
  return mimeType.startsWith('text/') ? `${mimeType}; charset=utf-8` : mimeType;
}
