/**
 * The one place errors become HTTP answers: AtelierErrors render in the envelope of the protocol the URL
 * speaks; Fastify's own 4xx errors (bad JSON, too large, wrong content type) become the matching
 * AtelierError; anything else is a 500 with the request id, logged once.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AtelierError, InternalError, NotFoundError } from '../errors/index.js';
import { protocolForUrl } from './protocol-for-url.js';

export function fromFrameworkError(error: FastifyError): AtelierError | undefined {
  const status = error.statusCode;
  if (status === undefined || status < 400 || status >= 500) return undefined;
  const kind = status === 413 ? 'payload_too_large' : status === 404 ? 'not_found' : 'invalid_request';
  const message =
    error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
      ? `The request body is not valid JSON: ${error.message}`
      : error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
        ? 'The request body is empty; a JSON object is required.'
        : error.message;
  return new AtelierError(message, {
    status,
    kind,
    code: error.code?.toLowerCase() ?? 'invalid_request',
    retryable: false,
  });
}

export function renderError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  let failure: AtelierError;
  if (error instanceof AtelierError) failure = error;
  else
    failure =
      fromFrameworkError(error as FastifyError) ??
      new InternalError(`Internal server error (request ${request.id}).`, error);
  if (failure.kind === 'internal')
    request.log.error({ reqId: request.id, err: failure.cause ?? failure }, 'request failed');
  const rendered = protocolForUrl(request.url).renderError(failure);
  if (failure.retryAfterMs !== undefined)
    reply.header('retry-after', String(Math.ceil(failure.retryAfterMs / 1000)));
  return reply.code(rendered.status).send(rendered.body);
}

export function renderNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return renderError(
    new NotFoundError(`No route for ${request.method} ${request.url.split('?')[0]}.`, 'unknown_route'),
    request,
    reply,
  );
}
