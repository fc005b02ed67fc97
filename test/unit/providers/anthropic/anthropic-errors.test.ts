import { describe, expect, it } from 'vitest';
import { parseAnthropicError } from '../../../../src/providers/anthropic/index.js';

const envelope = (type: string, message: string) =>
  JSON.stringify({ type: 'error', error: { type, message } });
const parse = (status: number, text: string, retryAfterMs?: number) =>
  parseAnthropicError('anthropic-test', { status, text, retryAfterMs });

describe('parseAnthropicError', () => {
  it.each([
    [529, envelope('overloaded_error', 'Overloaded'), 'overloaded', 'failure', true],
    [401, envelope('authentication_error', 'invalid x-api-key'), 'authentication', 'disable', true],
    [403, envelope('permission_error', 'no'), 'permission', 'disable', true],
    [
      400,
      envelope('invalid_request_error', 'Your credit balance is too low to access the Anthropic API.'),
      'quota',
      'disable',
      true,
    ],
    [402, envelope('billing_error', 'payment required'), 'quota', 'disable', true],
    [413, '<html>413 Request Entity Too Large</html>', 'payload_too_large', 'none', false],
    [404, envelope('not_found_error', 'model: claude-9'), 'not_found', 'none', false],
    [400, envelope('invalid_request_error', 'messages: field required'), 'invalid_request', 'none', false],
    [500, envelope('api_error', 'Internal server error'), 'upstream', 'failure', true],
  ])('HTTP %i %s → %s', (status, text, kind, credentialEffect, retryable) => {
    const error = parse(status, text);
    expect(error).toMatchObject({
      kind,
      credentialEffect,
      retryable,
      upstreamStatus: status,
      upstreamBody: text,
      provider: 'anthropic-test',
    });
  });

  it('keeps the vendor message and type, and the retry delay', () => {
    const error = parse(429, envelope('rate_limit_error', 'Too many tokens'), 30_000);
    expect(error).toMatchObject({
      message: 'Too many tokens',
      code: 'rate_limit_error',
      retryAfterMs: 30_000,
      kind: 'rate_limit',
    });
  });

  it('describes a body that is not an envelope', () => {
    expect(parse(502, 'Bad gateway').message).toBe('Anthropic answered HTTP 502: Bad gateway');
    expect(parse(503, '').message).toBe('Anthropic answered HTTP 503');
  });
});
