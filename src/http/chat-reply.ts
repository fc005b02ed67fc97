/** Sending a ChatService answer: JSON as is, streams as they come, with routing facts in headers. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ChatResponse } from '../gateway/chat-service.js';

/** An AbortSignal that fires when the client goes away before the answer is complete. */
export function clientGoneSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('client closed the connection'));
  });
  return controller.signal;
}

export function sendChat(request: FastifyRequest, reply: FastifyReply, response: ChatResponse): FastifyReply {
  reply.header('x-atelier-provider', response.route.provider);
  reply.header('x-atelier-upstream-model', response.route.model);
  reply.header('x-atelier-attempts', String(response.route.attempts));
  reply.header('x-request-id', request.id);
  if (response.kind === 'json') {
    // Relayed answers are the upstream's JSON text, sent as is; translated ones are objects.
    return reply.type('application/json; charset=utf-8').send(response.body);
  }
  reply.header('content-type', response.contentType);
  reply.header('cache-control', 'no-cache');
  reply.header('x-accel-buffering', 'no');
  return reply.send(response.body);
}
