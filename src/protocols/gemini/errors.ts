/**
 * AtelierError → Google's error envelope: {"error":{"code","message","status"[,"details"]}}.
 */
import type { AtelierError, ErrorKind } from '../../errors/index.js';
import type { RenderedError } from '../client-protocol.js';
import type { GeminiErrorBody } from './wire-types.js';

/** google.rpc.Code names by HTTP status, as Google's REST front end maps them. */
const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** Kinds that say more than their status does. */
const KIND_NAMES: Partial<Record<ErrorKind, string>> = {
  timeout: 'DEADLINE_EXCEEDED',
  connection: 'UNAVAILABLE',
  overloaded: 'UNAVAILABLE',
  rate_limit: 'RESOURCE_EXHAUSTED',
  quota: 'RESOURCE_EXHAUSTED',
};

export function googleStatusName(error: AtelierError): string {
  return (
    KIND_NAMES[error.kind] ??
    STATUS_NAMES[error.status] ??
    (error.status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT')
  );
}

function formatDelay(milliseconds: number): string {
  const seconds = Math.round(milliseconds / 100) / 10;
  return `${seconds}s`;
}

export function renderGeminiError(error: AtelierError): RenderedError {
  const details: Array<Record<string, unknown>> = [];
  if (error.param) {
    details.push({
      '@type': 'type.googleapis.com/google.rpc.BadRequest',
      fieldViolations: [{ field: error.param, description: error.message }],
    });
  }
  if (error.retryAfterMs !== undefined) {
    details.push({
      '@type': 'type.googleapis.com/google.rpc.RetryInfo',
      retryDelay: formatDelay(error.retryAfterMs),
    });
  }
  const body: GeminiErrorBody = {
    error: { code: error.status, message: error.message, status: googleStatusName(error) },
  };
  if (details.length > 0) body.error.details = details;
  return { status: error.status, body };
}
