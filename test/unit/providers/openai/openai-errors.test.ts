import { describe, expect, it } from 'vitest';
import { parseOpenAIError } from '../../../../src/providers/openai/index.js';

const body = (error: Record<string, unknown>) => JSON.stringify({ error });

describe('OpenAI error bodies → ProviderError', () => {
  it('classifies insufficient_quota as quota: credential disabled, another may succeed', () => {
    const error = parseOpenAIError({
      provider: 'p',
      status: 429,
      text: body({
        message: 'You exceeded your current quota.',
        type: 'insufficient_quota',
        param: null,
        code: 'insufficient_quota',
      }),
      retryAfterMs: undefined,
    });
    expect(error).toMatchObject({ kind: 'quota', credentialEffect: 'disable', retryable: true, status: 502 });
  });

  it.each(['content_policy_violation', 'content_filter'])('classifies %s as content_policy', (code) => {
    const error = parseOpenAIError({
      provider: 'p',
      status: 400,
      text: body({ message: 'Flagged.', type: 'invalid_request_error', param: null, code }),
      retryAfterMs: undefined,
    });
    expect(error).toMatchObject({ kind: 'content_policy', retryable: false, code, message: 'Flagged.' });
  });

  it('treats a 401 as authentication even without a code', () => {
    const error = parseOpenAIError({
      provider: 'p',
      status: 401,
      text: body({ message: 'No key.' }),
      retryAfterMs: undefined,
    });
    expect(error).toMatchObject({ kind: 'authentication', credentialEffect: 'disable' });
  });

  it('keeps the status classification and raw body when the body is not OpenAI-shaped', () => {
    const error = parseOpenAIError({
      provider: 'p',
      status: 503,
      text: '<html>busy</html>',
      retryAfterMs: 2000,
    });
    expect(error).toMatchObject({
      kind: 'overloaded',
      retryAfterMs: 2000,
      upstreamBody: '<html>busy</html>',
    });
    expect(error.message).toBe('OpenAI upstream answered 503: <html>busy</html>');
  });

  it('reads model_not_found as not_found', () => {
    const error = parseOpenAIError({
      provider: 'p',
      status: 404,
      text: body({
        message: 'The model `gpt-9` does not exist',
        type: 'invalid_request_error',
        param: null,
        code: 'model_not_found',
      }),
      retryAfterMs: undefined,
    });
    expect(error).toMatchObject({ kind: 'not_found', code: 'model_not_found', retryable: false });
  });
});
