import type { FastifyInstance } from 'fastify';
import type { ChatService } from '../../../gateway/chat-service.js';
import { anthropicClientProtocol } from '../../../protocols/anthropic/index.js';
import { clientGoneSignal, sendChat } from '../../chat-reply.js';

export function registerMessages(app: FastifyInstance, chat: ChatService): void {
  app.post('/v1/messages', async (request, reply) => {
    const response = await chat.handle({
      protocol: anthropicClientProtocol,
      body: request.body,
      context: {},
      principal: request.principal,
      signal: clientGoneSignal(reply),
      baseUrl: request.baseUrl,
    });
    return sendChat(request, reply, response);
  });
}
