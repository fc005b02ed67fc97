/**
 * Gemini's native surface: POST /v1beta/models/{model}:generateContent and :streamGenerateContent (SSE with
 * ?alt=sse; without it, one JSON array streamed element by element, as Gemini answers), and
 * GET /v1beta/models. The model may be provider-qualified ("gem/gemini-2.5-flash").
 */
import type { FastifyInstance } from 'fastify';
import type { ChatService } from '../../../gateway/chat-service.js';
import type { ModelCatalog } from '../../../gateway/model-catalog.js';
import { InvalidRequestError, NotFoundError } from '../../../errors/index.js';
import { geminiClientProtocol } from '../../../protocols/gemini/index.js';
import { jsonArrayContentType, SseToJsonArray } from '../../../protocols/gemini/json-array-stream.js';
import { clientGoneSignal, sendChat, type StreamFraming } from '../../chat-reply.js';

const methods = new Set(['generateContent', 'streamGenerateContent']);

const jsonArrayFraming: StreamFraming = {
  contentType: jsonArrayContentType,
  create: () => new SseToJsonArray(),
};

export function registerGenerateContent(
  app: FastifyInstance,
  chat: ChatService,
  catalog: ModelCatalog,
): void {
  app.post<{ Params: { '*': string }; Querystring: { alt?: string } }>(
    '/v1beta/models/*',
    async (request, reply) => {
      const path = request.params['*'];
      const colon = path.lastIndexOf(':');
      const method = colon === -1 ? '' : path.slice(colon + 1);
      if (!methods.has(method)) {
        throw new NotFoundError(
          `Unknown method '${method || path}'; use :generateContent or :streamGenerateContent.`,
        );
      }
      const model = decodeURIComponent(path.slice(0, colon));
      if (!model) throw new InvalidRequestError('The model name is missing from the path.', 'model');
      const stream = method === 'streamGenerateContent';
      const alt = request.query.alt;
      if (stream && alt !== undefined && alt !== 'sse' && alt !== 'json') {
        throw new InvalidRequestError(
          `Unsupported alt=${String(alt).slice(0, 32)}; use alt=sse, or alt=json (the default) for a JSON array.`,
          'alt',
        );
      }
      const response = await chat.handle({
        protocol: geminiClientProtocol,
        body: request.body,
        context: { model, stream },
        principal: request.principal,
        signal: clientGoneSignal(reply),
        baseUrl: request.baseUrl,
      });
      return sendChat(request, reply, response, stream && alt !== 'sse' ? jsonArrayFraming : undefined);
    },
  );

  app.get('/v1beta/models', async () => ({
    models: catalog.list().map((model) => ({
      name: `models/${model.id}`,
      displayName: model.id,
      supportedGenerationMethods: ['generateContent', 'streamGenerateContent'],
    })),
  }));
}
