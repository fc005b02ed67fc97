/**
 * AtelierError → OpenAI's error envelope `{"error":{"message","type","param","code"}}`.
 */
import type { AtelierError, ErrorKind } from '../../errors/index.js';
import type { RenderedError } from '../client-protocol.js';
import type { WireErrorBody } from './wire-types.js';

const typeByKind: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  conflict: 'invalid_request_error',
  payload_too_large: 'invalid_request_error',
  rate_limit: 'rate_limit_error',
  quota: 'insufficient_quota',
  // OpenAI rejects flagged input as a bad request (code content_policy_violation).
  content_policy: 'invalid_request_error',
  timeout: 'server_error',
  connection: 'server_error',
  upstream: 'server_error',
  overloaded: 'server_error',
  internal: 'api_error',
};

export function renderOpenAIError(error: AtelierError): RenderedError {
  // OpenAI reports an unknown model as a bad request with code model_not_found, and SDKs expect that.
  const type = error.code === 'model_not_found' ? 'invalid_request_error' : typeByKind[error.kind];
  const body: WireErrorBody = {
    error: { message: error.message, type, param: error.param ?? null, code: error.code ?? null },
  };
  return { status: error.status, body };
}
