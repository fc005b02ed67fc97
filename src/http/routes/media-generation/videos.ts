/**
 * OpenAI's Videos API over any video provider, backed by `video.generate` jobs: the video id is the job id,
 * so /v1/jobs/{id} and its events work for videos too.
 *   POST /v1/videos (JSON or multipart with `input_reference`), GET /v1/videos, GET /v1/videos/{id},
 *   GET /v1/videos/{id}/content, DELETE /v1/videos/{id}
 */
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as z from 'zod';
import { InvalidRequestError, NotFoundError } from '../../../errors/index.js';
import type { FileService } from '../../../files/file-service.js';
import type { MediaService } from '../../../gateway/media-service.js';
import type { VideoJobInput, VideoJobOutput } from '../../../jobs/handlers/video-generate.js';
import type { JobService } from '../../../jobs/job-service.js';
import { fingerprint } from '../../../jobs/job-service.js';
import type { MediaLibrary } from '../../../jobs/media-library.js';
import type { JobRow } from '../../../storage/index.js';
import { readMultipartForm } from '../../multipart-form.js';
import { parseBody } from '../../validation.js';
import { sendFileContent } from '../files/file-content-reply.js';
import { visibleJob } from '../jobs/job-access.js';

const createVideoSchema = z.strictObject({
  model: z.string().min(1),
  prompt: z.string().min(1).max(32_000),
  seconds: z.coerce.number().positive().max(600).optional(),
  size: z.string().optional(),
  negative_prompt: z.string().optional(),
  aspect_ratio: z.string().optional(),
  fps: z.coerce.number().int().optional(),
  seed: z.coerce.number().int().optional(),
  input_reference: z.union([z.string().min(1), z.strictObject({ file_id: z.string().min(1) })]).optional(),
  last_frame: z.union([z.string().min(1), z.strictObject({ file_id: z.string().min(1) })]).optional(),
  reference_images: z
    .array(z.union([z.string().min(1), z.strictObject({ file_id: z.string().min(1) })]))
    .max(8)
    .optional(),
  provider_options: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  webhook_url: z.url().optional(),
  priority: z.coerce.number().int().min(-100).max(100).optional(),
});

const listSchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  after: z.string().min(1).optional(),
  order: z.enum(['asc', 'desc']).default('desc'),
});

const fileId = (reference: string | { file_id: string } | undefined) =>
  reference === undefined ? undefined : typeof reference === 'string' ? reference : reference.file_id;

export interface VideoRouteDependencies {
  jobs: JobService;
  media: MediaService;
  files: FileService;
  library: MediaLibrary;
  maxUploadBytes: number;
  /** Checks a per-job webhook URL (SSRF guard) before the job exists. */
  assertWebhookUrl: (url: string) => void;
}

export function registerVideos(app: FastifyInstance, dependencies: VideoRouteDependencies): void {
  const { jobs, files, library } = dependencies;

  async function create(request: FastifyRequest) {
    let raw: Record<string, unknown>;
    let uploaded: string | undefined;
    if (request.isMultipart()) {
      const form = await readMultipartForm(request, dependencies.maxUploadBytes);
      raw = { ...form.fields };
      const reference = form.files.find((file) => file.field === 'input_reference');
      if (reference) {
        const stored = await library.storeUpload({
          data: reference.data,
          mediaType: reference.mimeType,
          filename: reference.filename,
          apiKeyId: request.principal.keyId,
        });
        uploaded = stored.id;
        delete raw.input_reference;
      }
    } else {
      raw = (request.body ?? {}) as Record<string, unknown>;
    }
    const body = parseBody(createVideoSchema, raw);
    if (body.webhook_url) dependencies.assertWebhookUrl(body.webhook_url);
    const input: VideoJobInput = {
      model: body.model,
      prompt: body.prompt,
      seconds: body.seconds,
      size: body.size,
      negative_prompt: body.negative_prompt,
      aspect_ratio: body.aspect_ratio,
      fps: body.fps,
      seed: body.seed,
      first_frame_file_id: uploaded ?? fileId(body.input_reference),
      last_frame_file_id: fileId(body.last_frame),
      reference_file_ids: body.reference_images?.map((reference) => fileId(reference)!),
      provider_options: body.provider_options,
    };
    const placeholder = { data: Buffer.alloc(0), mediaType: 'image/png' };
    dependencies.media.assertVideoRequestServable({
      model: input.model,
      firstFrame: input.first_frame_file_id ? placeholder : undefined,
      lastFrame: input.last_frame_file_id ? placeholder : undefined,
      referenceImages: input.reference_file_ids?.map(() => placeholder),
    });
    const idempotencyKey = request.headers['idempotency-key'];
    const { job } = await jobs.create({
      type: 'video.generate',
      input,
      apiKeyId: request.principal.keyId,
      idempotencyKey: typeof idempotencyKey === 'string' ? idempotencyKey : undefined,
      requestFingerprint: fingerprint({
        ...input,
        first_frame_file_id: uploaded ? 'upload' : input.first_frame_file_id,
      }),
      webhookUrl: body.webhook_url,
      priority: body.priority,
    });
    return presentVideo(job);
  }

  const video = async (request: FastifyRequest<{ Params: { id: string } }>) => {
    const job = await visibleJob(jobs, request.principal, request.params.id);
    if (job.type !== 'video.generate')
      throw new NotFoundError(`No video with id '${request.params.id}'.`, 'video_not_found', 'id');
    return job;
  };

  void app.register(async (scope) => {
    await scope.register(multipart);
    scope.post('/v1/videos', async (request) => create(request));
  });

  app.get('/v1/videos', async (request) => {
    const query = parseBody(listSchema, request.query);
    const rows = await jobs.list({
      type: ['video.generate'],
      after: query.after,
      limit: query.limit + 1,
      apiKeyId: request.principal.role === 'admin' ? undefined : request.principal.keyId,
    });
    const page = rows.slice(0, query.limit);
    if (query.order === 'asc') page.reverse();
    const data = page.map(presentVideo);
    return {
      object: 'list',
      data,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
      has_more: rows.length > query.limit,
    };
  });

  app.get<{ Params: { id: string } }>('/v1/videos/:id', async (request) =>
    presentVideo(await video(request)),
  );

  app.get<{ Params: { id: string }; Querystring: { variant?: string } }>(
    '/v1/videos/:id/content',
    async (request, reply: FastifyReply) => {
      const job = await video(request);
      const variant = request.query.variant ?? 'video';
      if (variant !== 'video')
        throw new InvalidRequestError(`Variant '${variant}' is not available; use 'video'.`, 'variant');
      if (job.status !== 'succeeded') {
        throw new NotFoundError(
          `Video '${job.id}' is ${presentVideo(job).status}; its content is not ready.`,
          'video_not_ready',
          'id',
        );
      }
      const output = JSON.parse(job.output!) as VideoJobOutput;
      const first = output.files[0];
      if (!first) throw new NotFoundError(`Video '${job.id}' produced no file.`, 'video_not_found', 'id');
      return sendFileContent(request, reply, files, await files.get(first.id));
    },
  );

  app.delete<{ Params: { id: string } }>('/v1/videos/:id', async (request) => {
    const job = await video(request);
    if (job.status === 'queued' || job.status === 'running') await jobs.cancel(job.id);
    if (job.output) {
      for (const file of (JSON.parse(job.output) as VideoJobOutput).files)
        await files.delete(file.id).catch(() => undefined);
    }
    return { id: job.id, object: 'video.deleted', deleted: true };
  });
}

const statusMap = {
  queued: 'queued',
  running: 'in_progress',
  succeeded: 'completed',
  failed: 'failed',
  canceled: 'failed',
} as const;

/** A job as OpenAI's video object. */
export function presentVideo(job: JobRow) {
  const input = JSON.parse(job.input) as VideoJobInput;
  const output = job.output ? (JSON.parse(job.output) as VideoJobOutput) : undefined;
  const error =
    job.status === 'canceled'
      ? { code: 'canceled', message: 'The video was canceled.' }
      : job.status === 'failed' && job.error
        ? errorOf(job.error)
        : null;
  return {
    id: job.id,
    object: 'video',
    model: input.model,
    status: statusMap[job.status],
    progress: Math.round(job.progress * 100),
    created_at: Math.floor(job.created_at / 1000),
    completed_at: job.status === 'succeeded' && job.finished_at ? Math.floor(job.finished_at / 1000) : null,
    expires_at: null,
    prompt: input.prompt,
    seconds: String(output?.seconds ?? input.seconds ?? ''),
    size: output?.size ?? input.size ?? null,
    remixed_from_video_id: null,
    error,
    files: output?.files ?? [],
  };
}

function errorOf(raw: string) {
  const parsed = JSON.parse(raw) as { message: string; code: string | null; type: string };
  return { code: parsed.code ?? parsed.type, message: parsed.message };
}
