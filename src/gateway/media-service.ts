/**
 * Image, video, speech and transcription calls over the same credential pools and failover as chat:
 * resolve the model, try each capable target's credentials, record usage. Video only starts here (the
 * `video.generate` job polls it); the credential that started an operation is kept with the job, because
 * vendors only answer about an operation to the account that created it.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import type { GatewayConfiguration } from '../config/index.js';
import { InvalidRequestError, NotFoundError, toAtelierError } from '../errors/index.js';
import type {
  ImageRequest,
  ImageResult,
  MediaCallOptions,
  MediaUsage,
  ProgressReporter,
  SpeechRequest,
  SpeechResult,
  TranscriptionRequest,
  TranscriptionResult,
  VideoCapability,
  VideoOperation,
  VideoRequest,
} from '../providers/media-spec.js';
import type { CallCredential } from '../providers/spec.js';
import type { Metrics } from '../observability/metrics.js';
import { runWithFailover, type AttemptContext, type Capability } from './failover.js';
import type { ModelCatalog } from './model-catalog.js';
import { modelKind } from './model-kind.js';
import type { ProviderRegistry } from './provider-registry.js';
import type { UsageRecorder } from './usage-recorder.js';
import type { CancelSignal } from '../providers/cancel-signal.js';

export interface MediaCaller {
  apiKeyId: string | null;
  signal: CancelSignal;
  onProgress?: ProgressReporter;
}

export interface RoutedResult<T> {
  value: T;
  provider: string;
  upstreamModel: string;
  credentialId: string;
}

/** Where a started video operation lives: enough to poll it again after a restart. */
export interface VideoHandle {
  provider: string;
  upstreamModel: string;
  credentialId: string;
  operationId: string;
}

export interface MediaServiceDependencies {
  catalog: ModelCatalog;
  registry: ProviderRegistry;
  usage: UsageRecorder;
  metrics: Metrics;
  logger: Logger;
  gateway: Readonly<GatewayConfiguration>;
}

export class MediaService {
  constructor(private readonly dependencies: MediaServiceDependencies) {}

  generateImages(request: ImageRequest, caller: MediaCaller): Promise<RoutedResult<ImageResult>> {
    return this.run(
      'image',
      request.model,
      caller,
      ({ target, credential, signal }) => {
        const image = target.provider.adapter.image!;
        if (request.inputImages?.length && !image.supports.edit) {
          throw new InvalidRequestError(
            `Model '${request.model}' on provider '${target.provider.id}' cannot edit images.`,
            'image',
          );
        }
        if (request.mask && !image.supports.mask) {
          throw new InvalidRequestError(
            `Model '${request.model}' on provider '${target.provider.id}' does not take a mask.`,
            'mask',
          );
        }
        return image.generate(
          { ...request, model: target.upstreamModel },
          this.options(credential, signal, caller),
        );
      },
      (result) => result.usage,
    );
  }

  synthesizeSpeech(request: SpeechRequest, caller: MediaCaller): Promise<RoutedResult<SpeechResult>> {
    return this.run(
      'speech',
      request.model,
      caller,
      ({ target, credential, signal }) => {
        const speech = target.provider.adapter.speech!;
        if (!speech.formats.includes(request.format)) {
          throw new InvalidRequestError(
            `Provider '${target.provider.id}' produces ${speech.formats.join(', ')}, not ${request.format}.`,
            'response_format',
          );
        }
        return speech.synthesize(
          { ...request, model: target.upstreamModel },
          this.options(credential, signal, caller),
        );
      },
      () => undefined,
    );
  }

  transcribe(request: TranscriptionRequest, caller: MediaCaller): Promise<RoutedResult<TranscriptionResult>> {
    return this.run(
      'transcription',
      request.model,
      caller,
      ({ target, credential, signal }) =>
        target.provider.adapter.transcription!.transcribe(
          { ...request, model: target.upstreamModel },
          this.options(credential, signal, caller),
        ),
      (result) => result.usage,
    );
  }

  /** Start a video on the first target that accepts it; the handle says where to poll. */
  async startVideo(request: VideoRequest, caller: MediaCaller): Promise<VideoHandle & VideoOperation> {
    const routed = await this.run(
      'video',
      request.model,
      caller,
      ({ target, credential, signal }) => {
        const video = target.provider.adapter.video!;
        checkVideoSupport(video, request, target.provider.id);
        return video.start(
          { ...request, model: target.upstreamModel },
          this.options(credential, signal, caller),
        );
      },
      () => undefined,
    );
    return {
      ...routed.value,
      provider: routed.provider,
      upstreamModel: routed.upstreamModel,
      credentialId: routed.credentialId,
    };
  }

  /**
   * Refuse a video request no target could serve (unknown model, no video capability, or image inputs the
   * providers cannot take) before a job is created, so the client gets a 4xx instead of a failed job.
   */
  assertVideoRequestServable(
    request: Pick<VideoRequest, 'model' | 'firstFrame' | 'lastFrame' | 'referenceImages'>,
  ): void {
    const targets = this.dependencies.catalog
      .resolve(request.model)
      // An image model on a provider that also makes videos (gpt-image-1 on OpenAI) is still no video model.
      .filter(
        (target) =>
          target.provider.adapter.video && modelKind(target.provider, target.upstreamModel) !== 'image',
      );
    if (targets.length === 0) {
      throw new InvalidRequestError(
        `Model '${request.model}' does not make videos on any configured provider.`,
        'model',
      );
    }
    let lastError: unknown;
    for (const target of targets) {
      try {
        checkVideoSupport(target.provider.adapter.video!, request as VideoRequest, target.provider.id);
        return;
      } catch (error) {
        lastError = error;
      }
    }
    throw lastError;
  }

  /** The video capability and credential behind a handle (for status, download and cancel). */
  async videoSession(
    handle: VideoHandle,
    signal: CancelSignal,
  ): Promise<{ video: VideoCapability; options: MediaCallOptions }> {
    const provider = this.dependencies.registry.get(handle.provider);
    const video = provider?.adapter.video;
    const credential = provider?.pool
      .list()
      .find((entry) => entry.credential.id === handle.credentialId)?.credential;
    if (!video || !credential) {
      throw new NotFoundError(
        `The credential that started this video (${handle.provider}) is no longer configured.`,
        'credential_gone',
      );
    }
    return { video, options: { credential: await credential.resolve(signal), signal } };
  }

  private options(credential: CallCredential, signal: CancelSignal, caller: MediaCaller): MediaCallOptions {
    return { credential, signal, onProgress: caller.onProgress };
  }

  private async run<T>(
    capability: Capability,
    model: string,
    caller: MediaCaller,
    attempt: (context: AttemptContext) => Promise<T>,
    usageOf: (value: T) => MediaUsage | undefined,
  ): Promise<RoutedResult<T>> {
    const started = performance.now();
    const record = (
      status: number,
      details: {
        provider?: string;
        upstreamModel?: string;
        credentialId?: string;
        attempts?: number;
        usage?: MediaUsage;
        errorKind?: string;
      },
    ) =>
      this.dependencies.usage.record({
        created_at: Date.now(),
        api_key_id: caller.apiKeyId,
        protocol: capability,
        requested_model: model,
        provider_id: details.provider ?? null,
        upstream_model: details.upstreamModel ?? null,
        credential_id: details.credentialId ?? null,
        status,
        error_kind: details.errorKind ?? null,
        stream: 0,
        attempts: details.attempts ?? 0,
        latency_ms: Math.round(performance.now() - started),
        input_tokens: details.usage?.inputTokens ?? 0,
        output_tokens: details.usage?.outputTokens ?? 0,
      });
    try {
      const targets = this.dependencies.catalog.resolve(model);
      const result = await runWithFailover(model, targets, attempt, {
        capability,
        maxAttempts: this.dependencies.gateway.max_attempts,
        queueTimeoutMs: this.dependencies.gateway.queue_timeout_ms,
        signal: caller.signal,
        onFailure: (target, credentialId, error) =>
          this.dependencies.logger.warn(
            { provider: target.provider.id, credential: credentialId, err: toAtelierError(error).message },
            `${capability} attempt failed`,
          ),
      });
      result.lease.release('success');
      const routed = {
        provider: result.target.provider.id,
        upstreamModel: result.target.upstreamModel,
        credentialId: result.lease.credential.id,
      };
      record(200, { ...routed, attempts: result.attempts, usage: usageOf(result.value) });
      return { value: result.value, ...routed };
    } catch (error) {
      const failure = toAtelierError(error);
      record(failure.status, { errorKind: failure.kind });
      throw failure;
    }
  }
}

function checkVideoSupport(video: VideoCapability, request: VideoRequest, provider: string): void {
  const wants: Array<[boolean, boolean, string, string]> = [
    [
      Boolean(request.firstFrame),
      video.supports.firstFrame,
      'a first frame (image-to-video)',
      'input_reference',
    ],
    [Boolean(request.lastFrame), video.supports.lastFrame, 'a last frame', 'last_frame'],
    [
      Boolean(request.referenceImages?.length),
      video.supports.referenceImages,
      'reference images',
      'reference_images',
    ],
    [
      !request.firstFrame && !request.referenceImages?.length,
      video.supports.textToVideo,
      'text-to-video',
      'prompt',
    ],
  ];
  for (const [asked, supported, what, param] of wants) {
    if (asked && !supported)
      throw new InvalidRequestError(`Provider '${provider}' cannot do ${what} for this model.`, param);
  }
}
