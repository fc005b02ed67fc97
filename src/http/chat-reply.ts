/** Sending a ChatService answer: JSON as is, streams as they come, with routing facts in headers. */
import { pipeline, type Transform } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ChatResponse, ChatService } from '../gateway/chat-service.js';
import { ClientDisconnect } from '../providers/cancel-signal.js';
import type { ClientProtocol, DecodeContext } from '../protocols/client-protocol.js';

/** A signal that fires when the client goes away before the answer is complete. */
export function clientGoneSignal(reply: FastifyReply): ClientDisconnect {
  const disconnect = new ClientDisconnect();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) disconnect.abort(new Error('client closed the connection'));
  });
  return disconnect;
}

/** Another framing for a stream than the protocol's SSE (Gemini without `alt=sse`: one JSON array). */
export interface StreamFraming {
  contentType: string;
  /** A transform from the protocol's SSE to this framing, one per response. */
  create(): Transform;
}

export function sendChat(
  request: FastifyRequest,
  reply: FastifyReply,
  response: ChatResponse,
  framing?: StreamFraming,
): FastifyReply {
  const routing = {
    'x-atelier-provider': response.route.provider,
    'x-atelier-upstream-model': response.route.model,
    'x-atelier-attempts': String(response.route.attempts),
    'x-request-id': request.id,
  };
  if (response.kind === 'relay') {
    // The hot path: the upstream's bytes go straight into Node's response, past Fastify's send.
    reply.hijack();
    reply.raw.writeHead(
      200,
      Object.assign(streamHeaders(framing?.contentType ?? response.contentType), routing),
    );
    if (!framing) {
      response.relayTo(reply.raw);
      return reply;
    }
    // Through the framing: a client that leaves destroys it, which the relay sees and stops the upstream.
    const framed = framing.create();
    pipeline(framed, reply.raw, () => undefined);
    response.relayTo(framed);
    return reply;
  }
  reply.headers(routing);
  if (response.kind === 'json') {
    // Relayed answers are the upstream's JSON text, sent as is; translated ones are objects.
    return reply.type('application/json; charset=utf-8').send(response.body);
  }
  if (!framing) return reply.headers(streamHeaders(response.contentType)).send(response.body);
  // Errors travel both ways along the pipeline; Fastify sees the framed stream's end or failure.
  const framed = pipeline(response.body, framing.create(), () => undefined);
  return reply.headers(streamHeaders(framing.contentType)).send(framed);
}

function streamHeaders(contentType: string) {
  return { 'content-type': contentType, 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };
}

/** A chat endpoint: the protocol decides the wire format, the chat service does the rest. */
export function registerChatRoute(
  app: FastifyInstance,
  path: string,
  protocol: ClientProtocol,
  chat: ChatService,
  context: (request: FastifyRequest) => DecodeContext = () => ({}),
): void {
  app.post(path, async (request, reply) => {
    const response = await chat.handle({
      protocol,
      body: request.body,
      context: context(request),
      principal: request.principal,
      signal: clientGoneSignal(reply),
      baseUrl: request.baseUrl,
    });
    return sendChat(request, reply, response);
  });
}
