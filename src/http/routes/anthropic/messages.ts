import type { FastifyInstance } from 'fastify';
import type { ChatService } from '../../../gateway/chat-service.js';
import { anthropicClientProtocol } from '../../../protocols/anthropic/index.js';
import { registerChatRoute } from '../../chat-reply.js';

export function registerMessages(app: FastifyInstance, chat: ChatService): void {
  registerChatRoute(app, '/v1/messages', anthropicClientProtocol, chat);
}
