/**
 * Gemini's native surface: POST /v1beta/models/{model}:generateContent and :streamGenerateContent
 * (SSE with ?alt=sse), and GET /v1beta/models. The model may be provider-qualified ("gem/gemini-2.5-flash").
 */
import type { FastifyInstance } from 'fastify';
import type { ChatService } from '../../../gateway/chat-service.js';
import type { ModelCatalog } from '../../../gateway/model-catalog.js';
import { InvalidRequestError, NotFoundError } from '../../../errors/index.js';
import { geminiClientProtocol } from '../../../protocols/gemini/index.js';
import { clientGoneSignal, sendChat } from '../../chat-reply.js';

const methods = new Set(['generateContent', 'streamGenerateContent']);

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
      if (stream && request.query.alt !== undefined && request.query.alt !== 'sse') {
        throw new InvalidRequestError(
          `Unsupported alt=${request.query.alt}; use alt=sse for streaming.`,
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
      return sendChat(request, reply, response);
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
