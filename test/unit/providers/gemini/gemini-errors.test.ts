import { describe, expect, it } from 'vitest';
import { classifyGeminiError } from '../../../../src/providers/gemini/index.js';

const envelope = (code: number, status: string, message: string, details?: unknown[]) =>
  JSON.stringify({ error: { code, message, status, ...(details ? { details } : {}) } });

const classify = (status: number, text: string, retryAfterMs?: number) =>
  classifyGeminiError('gemini', { status, text, retryAfterMs });

describe('classifyGeminiError', () => {
  it('prefers RetryInfo over the retry-after header, and falls back to the header', () => {
    const withDetail = envelope(429, 'RESOURCE_EXHAUSTED', 'quota', [
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12.5s' },
    ]);
    expect(classify(429, withDetail, 1000)).toMatchObject({ kind: 'rate_limit', retryAfterMs: 12_500 });
    expect(classify(429, envelope(429, 'RESOURCE_EXHAUSTED', 'quota'), 4000)).toMatchObject({
      retryAfterMs: 4000,
    });
  });

  it.each([
    [403, 'PERMISSION_DENIED', undefined, 'permission', 'disable'],
    [401, 'UNAUTHENTICATED', undefined, 'authentication', 'disable'],
    [400, 'INVALID_ARGUMENT', 'API_KEY_INVALID', 'authentication', 'disable'],
    [403, 'PERMISSION_DENIED', 'SERVICE_DISABLED', 'permission', 'disable'],
    [400, 'FAILED_PRECONDITION', undefined, 'permission', 'disable'],
    [404, 'NOT_FOUND', undefined, 'not_found', 'none'],
    [503, 'UNAVAILABLE', undefined, 'overloaded', 'failure'],
    [504, 'DEADLINE_EXCEEDED', undefined, 'timeout', 'failure'],
    [400, 'INVALID_ARGUMENT', undefined, 'invalid_request', 'none'],
  ])('%i %s (%s) → %s', (status, name, reason, kind, effect) => {
    const details = reason ? [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason }] : undefined;
    expect(classify(status, envelope(status, name, 'msg', details))).toMatchObject({
      kind,
      credentialEffect: effect,
      upstreamStatus: status,
    });
  });

  it('reads the error from the JSON-array form and keeps the raw body', () => {
    const text = `[${envelope(500, 'INTERNAL', 'oops')}]`;
    const error = classify(500, text);
    expect(error).toMatchObject({ kind: 'upstream', message: 'Gemini: oops', upstreamBody: text });
  });

  it('copes with a body that is not JSON', () => {
    expect(classify(502, '<html>Bad gateway</html>')).toMatchObject({
      kind: 'upstream',
      message: 'Gemini: <html>Bad gateway</html>',
    });
  });

  it('files a safety refusal as content_policy', () => {
    expect(
      classify(400, envelope(400, 'INVALID_ARGUMENT', 'The prompt was blocked due to SAFETY')),
    ).toMatchObject({
      kind: 'content_policy',
      retryable: false,
    });
  });
});
