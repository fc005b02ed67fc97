/** The file library over OpenAI's `/v1/files` API, with byte-range downloads. */
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as z from 'zod';
import type { FileAccess, FileService } from '../../../files/file-service.js';
import { parseBody } from '../../validation.js';
import { sendFileContent } from './file-content-reply.js';
import { receiveUpload } from './upload.js';

const listQuerySchema = z.object({
  purpose: z.string().min(1).optional(),
  job_id: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: z.string().min(1).optional(),
  // Newest first is the only order the cursor walks; OpenAI's default.
  order: z.literal('desc').default('desc'),
});

type WithId = { Params: { id: string } };

/** Admin keys see every file; other keys see the files made under them. */
function accessFor(request: FastifyRequest): FileAccess {
  return request.principal.role === 'admin' ? {} : { ownerKeyId: request.principal.keyId };
}

export function registerFiles(
  app: FastifyInstance,
  files: FileService,
  options: { maxUploadBytes: number },
): void {
  // Its own scope, so the multipart parser applies to these routes only.
  void app.register(async (scope) => {
    await scope.register(multipart, {
      limits: { fileSize: options.maxUploadBytes, files: 1, fields: 10 },
    });

    scope.post('/v1/files', async (request) =>
      files.present(await receiveUpload(request, files, options.maxUploadBytes)),
    );

    scope.get('/v1/files', async (request) => {
      const query = parseBody(listQuerySchema, request.query);
      const page = await files.list({
        limit: query.limit,
        after: query.after,
        purpose: query.purpose,
        jobId: query.job_id,
        apiKeyId: accessFor(request).ownerKeyId,
      });
      const data = page.records.map((record) => files.present(record));
      return {
        object: 'list',
        data,
        first_id: data[0]?.id ?? null,
        last_id: data.at(-1)?.id ?? null,
        has_more: page.hasMore,
      };
    });

    scope.get<WithId>('/v1/files/:id', async (request) =>
      files.present(await files.get(request.params.id, accessFor(request))),
    );

    scope.delete<WithId>('/v1/files/:id', async (request) => {
      const record = await files.delete(request.params.id, accessFor(request));
      return { id: record.id, object: 'file', deleted: true };
    });

    scope.get<WithId>('/v1/files/:id/content', async (request, reply) =>
      sendFileContent(request, reply, files, await files.get(request.params.id, accessFor(request))),
    );
  });
}
