/**
 * `video.generate`: start a video on a provider (with failover across credentials), checkpoint the
 * operation so a restart resumes polling instead of paying twice, report progress, then store every
 * resulting video in the library. Cancellation asks the vendor to stop where it can.
 */
import { setTimeout as delay } from 'node:timers/promises';
import * as z from 'zod';
import { AtelierError, type ProviderError } from '../../errors/index.js';
import type { MediaService, VideoHandle } from '../../gateway/media-service.js';
import type { BinaryInput, Size, VideoRequest } from '../../providers/media-spec.js';
import type { JobContext, JobHandler } from '../job-handler.js';
import type { MediaLibrary, StoredOutput } from '../media-library.js';

export const videoSize = z
  .string()
  .regex(/^\d{2,5}x\d{2,5}$/, 'use WIDTHxHEIGHT, e.g. 1280x720')
  .transform((value): Size => {
    const [width, height] = value.split('x').map(Number) as [number, number];
    return { width, height };
  });

export const videoJobInput = z
  .strictObject({
    model: z.string().min(1),
    prompt: z.string().min(1).max(32_000),
    negative_prompt: z.string().max(32_000).optional(),
    seconds: z.coerce.number().positive().max(600).optional(),
    size: z.string().optional(),
    aspect_ratio: z
      .string()
      .regex(/^\d{1,2}:\d{1,2}$/, 'use W:H, e.g. 16:9')
      .optional(),
    fps: z.number().int().min(1).max(120).optional(),
    seed: z.number().int().optional(),
    first_frame_file_id: z.string().min(1).optional(),
    last_frame_file_id: z.string().min(1).optional(),
    reference_file_ids: z.array(z.string().min(1)).max(8).optional(),
    provider_options: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  })
  .superRefine((input, context) => {
    if (input.size !== undefined && !videoSize.safeParse(input.size).success) {
      context.addIssue({ code: 'custom', path: ['size'], message: 'use WIDTHxHEIGHT, e.g. 1280x720' });
    }
  });

export type VideoJobInput = z.infer<typeof videoJobInput>;

export interface VideoJobOutput {
  model: string;
  provider: string;
  files: StoredOutput[];
  seconds: number | null;
  size: string | null;
}

interface VideoJobState extends VideoHandle {
  warnings?: string[];
}

const maximumPollBackoffMs = 60_000;

export function createVideoGenerateHandler(
  media: MediaService,
  library: MediaLibrary,
): JobHandler<VideoJobInput, VideoJobOutput> {
  return {
    type: 'video.generate',
    inputSchema: videoJobInput,
    defaults: { concurrency: 32, timeoutMs: 60 * 60_000, maxAttempts: 3 },
    async run(context) {
      const { input, signal } = context;
      let state = context.state as VideoJobState | undefined;
      if (!state?.operationId) {
        context.progress(0, 'starting');
        const request = await buildRequest(input, library, context.job.apiKeyId);
        const started = await media.startVideo(request, { apiKeyId: context.job.apiKeyId, signal });
        state = {
          provider: started.provider,
          upstreamModel: started.upstreamModel,
          credentialId: started.credentialId,
          operationId: started.operationId,
          warnings: started.warnings,
        };
        await context.checkpoint(state);
      } else {
        context.logger.info({ operation: state.operationId }, 'resuming a started video');
      }
      const { video, options } = await media.videoSession(state, signal);
      try {
        const completed = await poll(context, state, video, options);
        const files: StoredOutput[] = [];
        for (const reference of completed.videos) {
          const download = await video.download(state.operationId, reference.index, options);
          files.push(
            await library.store({
              body: download.body,
              filename: `${context.job.id}-${reference.index}.mp4`,
              jobId: context.job.id,
              apiKeyId: context.job.apiKeyId,
              metadata: {
                prompt: input.prompt,
                model: input.model,
                provider: state.provider,
                upstream_model: state.upstreamModel,
                seconds: reference.seconds ?? input.seconds ?? null,
                usage: completed.usage ?? null,
                warnings: state.warnings ?? [],
                ...completed.metadata,
              },
            }),
          );
        }
        const first = completed.videos[0];
        const size = first?.size ? `${first.size.width}x${first.size.height}` : (input.size ?? null);
        return {
          model: input.model,
          provider: state.provider,
          files,
          seconds: first?.seconds ?? input.seconds ?? null,
          size,
        };
      } catch (error) {
        if (signal.aborted && video.cancel) {
          await video
            .cancel(state.operationId, { ...options, signal: AbortSignal.timeout(10_000) })
            .catch(() => undefined);
        }
        throw error;
      }
    },
  };
}

async function poll(
  context: JobContext<VideoJobInput>,
  state: VideoJobState,
  video: NonNullable<Awaited<ReturnType<MediaService['videoSession']>>['video']>,
  options: Awaited<ReturnType<MediaService['videoSession']>>['options'],
) {
  let failures = 0;
  for (;;) {
    let status;
    try {
      status = await video.status(state.operationId, options);
      failures = 0;
    } catch (error) {
      // A hiccup while polling is not the video's failure: keep polling, backing off.
      if (!(error instanceof AtelierError) || !error.retryable || context.signal.aborted) throw error;
      failures++;
      context.logger.warn({ err: (error as ProviderError).message }, 'video status failed; polling again');
      await delay(Math.min(maximumPollBackoffMs, video.pollIntervalMs * 2 ** failures), undefined, {
        signal: context.signal,
      });
      continue;
    }
    if (status.status === 'completed') {
      context.progress(0.95, 'downloading');
      return status;
    }
    if (status.status === 'failed') {
      throw new AtelierError(status.message, {
        status: status.kind === 'upstream' ? 502 : 400,
        kind: status.kind,
        code: status.kind === 'content_policy' ? 'content_policy_violation' : 'video_failed',
        retryable: false,
      });
    }
    context.progress(
      status.fraction === undefined ? undefined : Math.min(0.94, status.fraction * 0.94),
      status.message ?? 'generating',
    );
    await delay(video.pollIntervalMs, undefined, { signal: context.signal });
  }
}

async function buildRequest(
  input: VideoJobInput,
  library: MediaLibrary,
  apiKeyId: string | null,
): Promise<VideoRequest> {
  const read = (id: string | undefined): Promise<BinaryInput | undefined> =>
    id ? library.read(id, apiKeyId) : Promise.resolve(undefined);
  return {
    model: input.model,
    prompt: input.prompt,
    negativePrompt: input.negative_prompt,
    seconds: input.seconds,
    size: input.size ? videoSize.parse(input.size) : undefined,
    aspectRatio: input.aspect_ratio,
    fps: input.fps,
    seed: input.seed,
    firstFrame: await read(input.first_frame_file_id),
    lastFrame: await read(input.last_frame_file_id),
    referenceImages: input.reference_file_ids
      ? await Promise.all(input.reference_file_ids.map((id) => library.read(id, apiKeyId)))
      : undefined,
    providerOptions: input.provider_options,
  };
}
