/** The job handlers' MediaLibrary, backed by the file library. */
import { Readable } from 'node:stream';
import type { MediaLibrary, StoredOutput } from '../jobs/media-library.js';
import type { FileService } from './file-service.js';

export function createMediaLibrary(files: FileService, maxOutputBytes: number): MediaLibrary {
  const output = (record: Parameters<FileService['present']>[0]): StoredOutput => {
    const presented = files.present(record);
    return {
      id: presented.id,
      object: 'file',
      filename: presented.filename,
      mime_type: presented.mime_type,
      bytes: presented.bytes,
      url: presented.url,
    };
  };
  return {
    async read(fileId, apiKeyId) {
      // Admin-created jobs (no key) may read any file; others only their own.
      const { record, stream } = await files.open(
        fileId,
        undefined,
        apiKeyId === null ? {} : { ownerKeyId: apiKeyId },
      );
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return { data: Buffer.concat(chunks), mediaType: record.mime_type, filename: record.filename };
    },
    async store(input) {
      const body = Buffer.isBuffer(input.body) ? Readable.from([input.body]) : input.body;
      const record = await files.create({
        body,
        filename: input.filename,
        maxBytes: maxOutputBytes,
        purpose: 'output',
        apiKeyId: input.apiKeyId,
        jobId: input.jobId,
        metadata: input.metadata,
      });
      return output(record);
    },
    async storeUpload(input) {
      const record = await files.createFromBuffer({
        data: input.data,
        filename: input.filename,
        declaredMimeType: input.mediaType,
        purpose: 'input',
        apiKeyId: input.apiKeyId,
      });
      return output(record);
    },
  };
}
