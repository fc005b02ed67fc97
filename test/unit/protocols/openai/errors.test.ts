import { describe, expect, it } from 'vitest';
import type { AtelierError } from '../../../../src/errors/index.js';
import {
  AuthenticationError,
  InternalError,
  InvalidRequestError,
  ModelNotFoundError,
  NotFoundError,
  PermissionError,
  providerErrorFromStatus,
  type ErrorKind,
} from '../../../../src/errors/index.js';
import { openaiClientProtocol } from '../../../../src/protocols/openai/index.js';

const render = (error: AtelierError) => openaiClientProtocol.renderError(error);

describe('openai renderError', () => {
  it('renders an invalid request with its param', () => {
    expect(render(new InvalidRequestError("Invalid value for 'temperature'.", 'temperature'))).toEqual({
      status: 400,
      body: {
        error: {
          message: "Invalid value for 'temperature'.",
          type: 'invalid_request_error',
          param: 'temperature',
          code: 'invalid_request',
        },
      },
    });
  });

  it('renders an unknown model as OpenAI does: invalid_request_error with code model_not_found', () => {
    const rendered = render(new ModelNotFoundError('gpt-9'));
    expect(rendered.status).toBe(404);
    expect(rendered.body).toEqual({
      error: {
        message: "The model 'gpt-9' does not exist or is not routable on this gateway.",
        type: 'invalid_request_error',
        param: 'model',
        code: 'model_not_found',
      },
    });
  });

  it.each([
    [new AuthenticationError(), 401, 'authentication_error'],
    [new PermissionError(), 403, 'permission_error'],
    [new NotFoundError('No such file.'), 404, 'not_found_error'],
    [new InternalError(), 500, 'api_error'],
  ])('renders %s with its type', (error, status, type) => {
    const rendered = render(error);
    expect(rendered.status).toBe(status);
    expect((rendered.body as { error: { type: string } }).error.type).toBe(type);
  });

  it.each<[ErrorKind, number, string]>([
    ['rate_limit', 429, 'rate_limit_error'],
    ['quota', 429, 'insufficient_quota'],
    ['upstream', 500, 'server_error'],
    ['overloaded', 503, 'server_error'],
    ['timeout', 504, 'server_error'],
    ['content_policy', 400, 'invalid_request_error'],
  ])('renders upstream kind %s with type %s', (kind, status, type) => {
    const error = providerErrorFromStatus({ provider: 'p', status, message: 'upstream said no', hint: kind });
    const rendered = render(error);
    expect(rendered.status).toBe(error.status);
    expect(rendered.body).toEqual({ error: { message: 'upstream said no', type, param: null, code: null } });
  });
});
