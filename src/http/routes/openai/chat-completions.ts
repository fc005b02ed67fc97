import type { FastifyInstance } from 'fastify';
import type { ChatService } from '../../../gateway/chat-service.js';
import { openaiClientProtocol } from '../../../protocols/openai/index.js';
import { clientGoneSignal, sendChat } from '../../chat-reply.js';

export function registerChatCompletions(app: FastifyInstance, chat: ChatService): void {
  app.post('/v1/chat/completions', async (request, reply) => {
    const response = await chat.handle({
      protocol: openaiClientProtocol,
      body: request.body,
      context: {},
      principal: request.principal,
      signal: clientGoneSignal(reply),
      baseUrl: request.baseUrl,
    });
    return sendChat(request, reply, response);
  });
}
