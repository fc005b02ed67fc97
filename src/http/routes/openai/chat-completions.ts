import type { FastifyInstance } from 'fastify';
import type { ChatService } from '../../../gateway/chat-service.js';
import { openaiClientProtocol } from '../../../protocols/openai/index.js';
import { registerChatRoute } from '../../chat-reply.js';

export function registerChatCompletions(app: FastifyInstance, chat: ChatService): void {
  registerChatRoute(app, '/v1/chat/completions', openaiClientProtocol, chat);
}
