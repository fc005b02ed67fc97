/**
 * POST /v1/media/{operation} — FFmpeg processing as a job. Body: `{"input": source}` or
 * `{"inputs": [source, …]}`, `"options": {…}`, optional `webhook_url`; a source is `{file_id}`, `{job_id}`
 * or `{url}`. Options are validated before the job exists, so mistakes are a 400 naming the field.
 * GET /v1/media lists the operations and what the local FFmpeg can do.
 */
import type { FastifyInstance } from 'fastify';
import * as z from 'zod';
import { NotFoundError } from '../../../errors/index.js';
import { mediaSourceSchema } from '../../../jobs/handlers/media-source.js';
import { presentJob } from '../../../jobs/job-presenter.js';
import type { JobService } from '../../../jobs/job-service.js';
import { fingerprint } from '../../../jobs/job-service.js';
import type { MediaToolkit } from '../../../media/index.js';
import { isMediaOperationName, MEDIA_OPERATION_NAMES } from '../../../media/operation-names.js';
import type { MediaOperation } from '../../../media/operation.js';
import { assertFetchableUrl, type UrlPolicy } from '../../../security/ssrf-guard.js';
import { parseBody } from '../../validation.js';

const requestSchema = z
  .strictObject({
    input: mediaSourceSchema.optional(),
    inputs: z.array(mediaSourceSchema).min(1).max(32).optional(),
    options: z.record(z.string(), z.unknown()).default({}),
    webhook_url: z.string().min(1).optional(),
    priority: z.number().int().min(-100).max(100).optional(),
  })
  .refine((body) => (body.input === undefined) !== (body.inputs === undefined), {
    message: "give either 'input' or 'inputs'",
    path: ['input'],
  });

export interface MediaRouteDependencies {
  jobs: JobService;
  toolkit: () => Promise<MediaToolkit>;
  urlPolicy: UrlPolicy;
  assertWebhookUrl: (url: string) => void;
}

export function registerMedia(app: FastifyInstance, dependencies: MediaRouteDependencies): void {
  app.get('/v1/media', async () => {
    const toolkit = await dependencies.toolkit().catch(() => undefined);
    const capabilities = toolkit?.capabilities();
    return {
      object: 'list',
      data: MEDIA_OPERATION_NAMES.map((name) => ({ id: name, object: 'media.operation' })),
      ffmpeg: capabilities
        ? {
            version: capabilities.version,
            source: capabilities.ffmpeg.source,
            hardware_encoders: capabilities.hardwareEncoders.map((encoder) => encoder.encoder),
          }
        : null,
    };
  });

  app.post<{ Params: { operation: string } }>('/v1/media/:operation', async (request, reply) => {
    const { operation } = request.params;
    if (!isMediaOperationName(operation)) {
      throw new NotFoundError(
        `Unknown media operation '${operation}'. See GET /v1/media for the list.`,
        'unknown_operation',
        'operation',
      );
    }
    const body = parseBody(requestSchema, request.body);
    const inputs = body.inputs ?? [body.input!];
    inputs.forEach((source, index) => {
      if ('url' in source) assertFetchableUrl(source.url, dependencies.urlPolicy);
      return index;
    });
    // Validate options now: a typo should not cost a queued job. The media core loads on first use.
    const { MEDIA_OPERATIONS, parseOperationOptions } = await import('../../../media/index.js');
    parseOperationOptions(MEDIA_OPERATIONS[operation] as MediaOperation, body.options);
    if (body.webhook_url) dependencies.assertWebhookUrl(body.webhook_url);
    const input = { inputs, options: body.options };
    const idempotencyKey = request.headers['idempotency-key'];
    const { job, created } = await dependencies.jobs.create({
      type: `media.${operation}`,
      input,
      apiKeyId: request.principal.keyId,
      idempotencyKey: typeof idempotencyKey === 'string' ? idempotencyKey : undefined,
      requestFingerprint: fingerprint(input),
      webhookUrl: body.webhook_url,
      priority: body.priority,
    });
    return reply.code(created ? 202 : 200).send(presentJob(job));
  });
}
