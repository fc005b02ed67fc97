/**
 * The composition root: configuration in, a running gateway out. Everything is built here once and
 * passed down; nothing below reads process.env or builds its own collaborators.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Configuration } from './config/index.js';
import { createMediaLibrary } from './files/media-library-adapter.js';
import { FileService } from './files/file-service.js';
import { createRemoteImageFetcher } from './files/remote-image-fetcher.js';
import { ChatService } from './gateway/chat-service.js';
import { MediaChat } from './gateway/media-chat.js';
import { MediaService } from './gateway/media-service.js';
import { createMediaOperationHandlers } from './jobs/handlers/media-operation.js';
import { createMediaSourceResolver } from './jobs/handlers/media-source.js';
import { createVideoGenerateHandler } from './jobs/handlers/video-generate.js';
import type { MediaToolkit } from './media/index.js';
import { AtelierError } from './errors/index.js';
import { createGuardedDispatcher } from './security/ssrf-guard.js';
import { WebhookRepository } from './storage/repositories/webhook-repository.js';
import { assertWebhookUrl, loadSigningSecret, WebhookService } from './webhooks/index.js';
import { createBlobStoreFromUrl } from './storage/blobs/index.js';
import { FileRepository } from './storage/repositories/file-repository.js';
import { ModelCatalog } from './gateway/model-catalog.js';
import { discoverModels } from './gateway/model-discovery.js';
import { ProviderAdministration } from './gateway/provider-administration.js';
import { ProviderRegistry } from './gateway/provider-registry.js';
import { UsageRecorder } from './gateway/usage-recorder.js';
import { buildServer } from './http/server.js';
import { createJobSystem, type JobSystem } from './jobs/job-system.js';
import { createLogger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { ApiKeyService } from './security/api-keys.js';
import { SecretBox } from './security/secret-box.js';
import {
  ApiKeyRepository,
  CredentialStateRepository,
  openDatabase,
  ProviderRepository,
  startAgeRetentionSweep,
  startRoundedRetentionSweep,
  UsageRepository,
  type OpenedDatabase,
} from './storage/index.js';

export const version = '0.1.0';

export interface Application {
  configuration: Readonly<Configuration>;
  server: FastifyInstance;
  database: OpenedDatabase;
  keys: ApiKeyService;
  registry: ProviderRegistry;
  catalog: ModelCatalog;
  usageRecorder: UsageRecorder;
  logger: Logger;
  jobs: JobSystem;
  files: FileService;
  media: MediaService;
  webhooks: WebhookService;
  /**
   * Run jobs, deliver webhooks and sweep old usage, old deliveries and expired files from this process (serve
   * with workers, or `atelier worker`).
   */
  startWorkers(): Promise<void>;
  /** Settles when providers without a models list have been asked for theirs. */
  discovery: Promise<void>;
  close(): Promise<void>;
}

export async function createApplication(
  configuration: Readonly<Configuration>,
  options: { logger?: Logger } = {},
): Promise<Application> {
  const logger = options.logger ?? createLogger(configuration.log_level);
  const database = await openDatabase({ url: configuration.database_url, dataDir: configuration.data_dir });
  const secretBox = SecretBox.open({ masterKey: configuration.master_key, dataDir: configuration.data_dir });
  const keys = new ApiKeyService(new ApiKeyRepository(database.db));
  if (configuration.bootstrap_api_key && (await keys.ensureBootstrapKey(configuration.bootstrap_api_key))) {
    logger.info('created the bootstrap admin API key');
  }
  const providers = new ProviderRepository(database.db);
  const registry = new ProviderRegistry({
    configuration,
    providers,
    credentialStates: new CredentialStateRepository(database.db),
    secretBox,
    logger,
  });
  await registry.load();
  const catalog = new ModelCatalog(registry, configuration);
  // Listing models may take a while on a slow upstream: serve meanwhile; `discovery` tells when it is done.
  const discovery = discoverModels(registry, catalog, logger);
  const refresh = async () => {
    await registry.reload();
    await discoverModels(registry, catalog, logger);
  };
  const metrics = new Metrics();
  const usage = new UsageRepository(database.db, database.dialect, database.sqlite);
  const usageRecorder = new UsageRecorder(usage, logger, configuration.gateway.usage_flush_ms);
  const blobs = await createBlobStoreFromUrl(
    configuration.blob_store_url ?? pathToFileURL(resolve(configuration.data_dir, 'blobs')).href,
    {
      accessKeyId: configuration.s3_access_key_id,
      secretAccessKey: configuration.s3_secret_access_key,
    },
  );
  const files = new FileService(new FileRepository(database.db), blobs);
  const maxUploadBytes = Math.round(configuration.max_upload_mb * 1024 * 1024);
  const library = createMediaLibrary(files, 4 * 1024 * 1024 * 1024);
  const urlPolicy = { allowPrivateHosts: configuration.allow_private_network_urls };
  const guardedDispatcher = createGuardedDispatcher(urlPolicy);
  const jobs = await createJobSystem({
    db: database.db,
    configuration: configuration.jobs,
    redisUrl: configuration.redis_url,
    logger,
  });
  const webhookRepository = new WebhookRepository(database.db);
  const webhooks = new WebhookService({
    repository: webhookRepository,
    jobs: jobs.service,
    bus: jobs.bus,
    events: jobs.repository,
    secretBox,
    dispatcher: guardedDispatcher,
    signingSecret: loadSigningSecret({
      configured: configuration.webhook_signing_secret,
      dataDir: configuration.data_dir,
    }),
    logger,
  });
  const mediaLimits = {
    maxDurationSeconds: configuration.media.max_duration_seconds,
    maxPixels: configuration.media.max_pixels,
    maxOutputBytes: Math.round(configuration.media.max_output_mb * 1024 * 1024),
    timeoutMs: configuration.media.timeout_ms,
  };
  let toolkitPromise: Promise<MediaToolkit> | undefined;
  // The media core is imported with the first media request or job, not when the server starts.
  const toolkit = () => {
    toolkitPromise ??= import('./media/index.js')
      .then(async ({ createMediaToolkit, locateMediaTools }) => {
        const tools = await locateMediaTools({
          ffmpegPath: configuration.media.ffmpeg_path,
          ffprobePath: configuration.media.ffprobe_path,
        });
        return createMediaToolkit({ tools });
      })
      .catch((error: unknown) => {
        toolkitPromise = undefined;
        throw new AtelierError(`FFmpeg is not available here: ${(error as Error).message}`, {
          status: 503,
          kind: 'overloaded',
          code: 'ffmpeg_unavailable',
          retryable: true,
        });
      });
    return toolkitPromise;
  };
  for (const handler of createMediaOperationHandlers({
    toolkit,
    files,
    sources: createMediaSourceResolver({
      files,
      jobs: jobs.service,
      dispatcher: guardedDispatcher,
      maxDownloadBytes: Math.round(configuration.media.max_download_mb * 1024 * 1024),
      downloadTimeoutMs: 10 * 60_000,
    }),
    limits: mediaLimits,
    concurrency: configuration.media.concurrency,
  })) {
    jobs.handlers.register(handler);
  }
  const media = new MediaService({
    catalog,
    registry,
    usage: usageRecorder,
    metrics,
    logger,
    gateway: configuration.gateway,
  });
  jobs.handlers.register(createVideoGenerateHandler(media, library));
  const mediaChat = new MediaChat({
    media,
    jobs: jobs.service,
    library,
    fetchImage: createRemoteImageFetcher(library, guardedDispatcher),
  });
  const chat = new ChatService({
    catalog,
    usage: usageRecorder,
    metrics,
    logger,
    gateway: configuration.gateway,
    mediaChat,
  });
  const server = buildServer({
    logger,
    bodyLimitBytes: Math.round(configuration.server.body_limit_mb * 1024 * 1024),
    db: database.db,
    dialect: database.dialect,
    version,
    startedAt: Date.now(),
    keys,
    chat,
    catalog,
    registry,
    administration: new ProviderAdministration(providers, registry, refresh, secretBox),
    usage,
    usageRecorder,
    metrics,
    jobs: jobs.service,
    publicUrl: configuration.public_url,
    files,
    library,
    media,
    maxUploadBytes,
    assertWebhookUrl: (url) => void assertWebhookUrl(url, urlPolicy),
    webhooks,
    toolkit,
    urlPolicy,
  });
  let stopSweeps: Array<() => void> = [];
  return {
    configuration,
    server,
    database,
    keys,
    registry,
    catalog,
    usageRecorder,
    logger,
    discovery,
    jobs,
    files,
    media,
    webhooks,
    async startWorkers() {
      await jobs.startWorkers();
      webhooks.start();
      stopSweeps = [
        startAgeRetentionSweep({
          rows: 'usage records past retention',
          retentionDays: configuration.gateway.usage_retention_days,
          deleteBefore: (before, limit) => usage.deleteBefore(before, limit),
          logger,
        }),
        startAgeRetentionSweep({
          rows: 'webhook deliveries past retention',
          retentionDays: configuration.jobs.webhook_delivery_retention_days,
          deleteBefore: (before, limit) => webhookRepository.deleteFinishedBefore(before, limit),
          logger,
        }),
        startRoundedRetentionSweep({
          rows: 'expired files',
          deleteRound: (limit) => files.deleteExpired(limit),
          logger,
        }),
      ];
    },
    async close() {
      for (const stop of stopSweeps) stop();
      await server.close();
      await webhooks.stop();
      await jobs.stop();
      await usageRecorder.flush();
      await keys.flushTouches();
      await registry.close();
      await guardedDispatcher.close();
      await database.close();
    },
  };
}
