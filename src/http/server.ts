/** Fastify assembly: parsers, request ids, authentication, the error handler and every route group. */
import { randomBytes } from 'node:crypto';
import websocket from '@fastify/websocket';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
} from 'fastify';
import type { Logger } from 'pino';
import type { ChatService } from '../gateway/chat-service.js';
import type { ModelCatalog } from '../gateway/model-catalog.js';
import type { FileService } from '../files/file-service.js';
import type { MediaService } from '../gateway/media-service.js';
import type { JobService } from '../jobs/job-service.js';
import type { MediaLibrary } from '../jobs/media-library.js';
import type { ProviderAdministration } from '../gateway/provider-administration.js';
import type { ProviderRegistry } from '../gateway/provider-registry.js';
import type { UsageRecorder } from '../gateway/usage-recorder.js';
import type { Metrics } from '../observability/metrics.js';
import type { ApiKeyService } from '../security/api-keys.js';
import type { Database, UsageRepository } from '../storage/index.js';
import { createAuthenticationHook } from './authentication.js';
import { renderError, renderNotFound } from './error-handler.js';
import { registerKeyAdministration } from './routes/admin/keys.js';
import { registerProviderAdministration } from './routes/admin/providers.js';
import { registerUsage } from './routes/admin/usage.js';
import { registerWebhookAdministration } from './routes/admin/webhooks.js';
import { registerMedia } from './routes/media/media.js';
import type { MediaToolkit } from '../media/index.js';
import type { UrlPolicy } from '../security/ssrf-guard.js';
import type { WebhookService } from '../webhooks/index.js';
import { registerMessages } from './routes/anthropic/messages.js';
import { registerGenerateContent } from './routes/gemini/generate-content.js';
import { registerHealth } from './routes/health/health.js';
import { registerFiles } from './routes/files/files.js';
import { registerJobEvents } from './routes/jobs/job-events.js';
import { registerAudio } from './routes/media-generation/audio.js';
import { registerImages } from './routes/media-generation/images.js';
import { registerVideos } from './routes/media-generation/videos.js';
import { registerJobSocket } from './routes/jobs/job-socket.js';
import { registerJobs } from './routes/jobs/jobs.js';
import { registerChatCompletions } from './routes/openai/chat-completions.js';
import { registerModels } from './routes/openai/models.js';

export interface ServerDependencies {
  logger: Logger;
  bodyLimitBytes: number;
  db: Database;
  dialect: string;
  version: string;
  startedAt: number;
  keys: ApiKeyService;
  chat: ChatService;
  catalog: ModelCatalog;
  registry: ProviderRegistry;
  administration: ProviderAdministration;
  usage: UsageRepository;
  usageRecorder: UsageRecorder;
  metrics: Metrics;
  jobs: JobService;
  publicUrl: string | undefined;
  files: FileService;
  library: MediaLibrary;
  media: MediaService;
  maxUploadBytes: number;
  assertWebhookUrl: (url: string) => void;
  webhooks: WebhookService;
  toolkit: () => Promise<MediaToolkit>;
  urlPolicy: UrlPolicy;
}

/** This process's request ids: a random prefix (unique across processes) and a counter; no UUID per request. */
const requestIdPrefix = `req_${randomBytes(8).toString('hex')}`;
let requestSequence = 0;
function nextRequestId(): string {
  requestSequence++;
  return requestIdPrefix + requestSequence.toString(36).padStart(8, '0');
}

export function buildServer(dependencies: ServerDependencies): FastifyInstance {
  const app = Fastify({
    loggerInstance: dependencies.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request (it costs an allocation and a redaction pass on every call); the few
    // request-scoped log lines name the request id themselves.
    childLoggerFactory: (logger) => logger,
    bodyLimit: dependencies.bodyLimitBytes,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,128}$/.test(given) ? given : nextRequestId();
    },
    routerOptions: { ignoreTrailingSlash: true },
    return503OnClosing: true,
  });

  // curl -d sends form or text content types; every API body here is JSON, so read them as JSON.
  app.addContentTypeParser(
    ['application/x-www-form-urlencoded', 'text/plain'],
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );

  app.decorateRequest('principal', undefined as never);
  const publicUrl = dependencies.publicUrl?.replace(/\/$/, '');
  // Worked out when a route asks (media links), not on every request.
  app.decorateRequest('baseUrl', {
    getter(this: FastifyRequest) {
      return publicUrl ?? `${this.protocol}://${this.host}`;
    },
  });
  app.addHook('onRequest', createAuthenticationHook(dependencies.keys));
  app.setErrorHandler((error, request, reply) => renderError(error, request, reply));
  app.setNotFoundHandler((request, reply) => renderNotFound(request, reply));

  void app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  registerHealth(app, dependencies);
  registerModels(app, dependencies.catalog);
  registerChatCompletions(app, dependencies.chat);
  registerMessages(app, dependencies.chat);
  registerGenerateContent(app, dependencies.chat, dependencies.catalog);
  registerKeyAdministration(app, dependencies.keys);
  registerProviderAdministration(app, dependencies.registry, dependencies.administration);
  registerUsage(app, dependencies.usage, dependencies.usageRecorder);
  registerJobs(app, dependencies.jobs);
  registerJobEvents(app, dependencies.jobs);
  void app.register(async (scoped) => registerJobSocket(scoped, dependencies.jobs));
  const uploads = { maxUploadBytes: dependencies.maxUploadBytes };
  registerFiles(app, dependencies.files, uploads);
  registerImages(app, dependencies.media, dependencies.library, uploads);
  registerAudio(app, dependencies.media, uploads);
  registerVideos(app, { ...dependencies, ...uploads });
  registerWebhookAdministration(app, dependencies.webhooks);
  registerMedia(app, dependencies);
  return app;
}
