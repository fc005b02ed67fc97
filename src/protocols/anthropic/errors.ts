/** Renders any AtelierError in Anthropic's envelope: {"type":"error","error":{"type","message"}}. */
import type { AtelierError, ErrorKind } from '../../errors/index.js';
import type { RenderedError } from '../client-protocol.js';
import type { AnthropicErrorEnvelope, AnthropicErrorType } from './wire-types.js';

const errorTypeByKind: Record<ErrorKind, AnthropicErrorType> = {
  invalid_request: 'invalid_request_error',
  conflict: 'invalid_request_error',
  content_policy: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  payload_too_large: 'request_too_large',
  rate_limit: 'rate_limit_error',
  quota: 'rate_limit_error',
  overloaded: 'overloaded_error',
  timeout: 'api_error',
  connection: 'api_error',
  upstream: 'api_error',
  internal: 'api_error',
};

/** Anthropic signals overload with its own 529, and its SDKs retry on it. */
const overloadedStatus = 529;

export function anthropicErrorType(error: AtelierError): AnthropicErrorType {
  const type = errorTypeByKind[error.kind] ?? 'api_error';
  // A failure of the gateway's own upstream credential (rendered 5xx) is not the client's auth problem.
  if (error.status >= 500 && type !== 'overloaded_error') return 'api_error';
  return type;
}

export function errorEnvelope(error: AtelierError): AnthropicErrorEnvelope {
  return { type: 'error', error: { type: anthropicErrorType(error), message: error.message } };
}

export function renderError(error: AtelierError): RenderedError {
  const envelope = errorEnvelope(error);
  const status = envelope.error.type === 'overloaded_error' ? overloadedStatus : error.status;
  return { status, body: envelope };
}
