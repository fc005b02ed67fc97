import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  CapacityError,
  connectionError,
  InvalidRequestError,
  ModelNotFoundError,
  providerErrorFromStatus,
} from '../../../../src/errors/index.js';
import { geminiClientProtocol } from '../../../../src/protocols/gemini/index.js';
import type { ChatResult, ChatStreamEvent } from '../../../../src/providers/spec.js';

const context = { model: 'my-alias' };

describe('gemini encodeResult', () => {
  it('encodes text, reasoning and usage', () => {
    const result: ChatResult = {
      id: 'resp-1',
      model: 'upstream-model',
      content: [
        { type: 'reasoning', text: 'Let me think', signature: 'sig' },
        { type: 'text', text: 'Hello there' },
      ],
      finishReason: 'stop',
      usage: { inputTokens: 10, outputTokens: 7, cachedInputTokens: 4, reasoningTokens: 3 },
    };
    expect(geminiClientProtocol.encodeResult(result, context)).toEqual({
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { text: 'Let me think', thought: true, thoughtSignature: 'sig' },
              { text: 'Hello there' },
            ],
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: {
        promptTokenCount: 10,
        candidatesTokenCount: 4,
        totalTokenCount: 17,
        cachedContentTokenCount: 4,
        thoughtsTokenCount: 3,
      },
      modelVersion: 'my-alias',
      responseId: 'resp-1',
    });
  });

  it('encodes tool calls as functionCall parts ending with STOP', () => {
    const result: ChatResult = {
      id: 'r',
      model: 'm',
      content: [{ type: 'tool-call', id: 'call_9', name: 'get_weather', arguments: '{"location":"Paris"}' }],
      finishReason: 'tool-calls',
      usage: { inputTokens: 3, outputTokens: 5 },
    };
    const body = geminiClientProtocol.encodeResult(result, context) as {
      candidates: unknown[];
      usageMetadata: unknown;
    };
    expect(body.candidates[0]).toEqual({
      content: {
        role: 'model',
        parts: [{ functionCall: { name: 'get_weather', args: { location: 'Paris' }, id: 'call_9' } }],
      },
      finishReason: 'STOP',
      index: 0,
    });
    expect(body.usageMetadata).toEqual({ promptTokenCount: 3, candidatesTokenCount: 5, totalTokenCount: 8 });
  });

  it.each([
    ['length', 'MAX_TOKENS'],
    ['content-filter', 'SAFETY'],
    ['error', 'OTHER'],
    ['other', 'OTHER'],
  ] as const)('maps finish reason %s to %s', (finishReason, expected) => {
    const body = geminiClientProtocol.encodeResult(
      { id: 'r', model: 'm', content: [], finishReason, usage: { inputTokens: 0, outputTokens: 0 } },
      context,
    ) as { candidates: Array<{ finishReason: string }> };
    expect(body.candidates[0]!.finishReason).toBe(expected);
  });
});

function encodeStream(events: ChatStreamEvent[]): string[] {
  const encoder = geminiClientProtocol.createStreamEncoder(context);
  expect(encoder.contentType).toBe('text/event-stream');
  const out = events.map((event) => encoder.encode(event)).filter((text) => text !== '');
  const end = encoder.end();
  if (end) out.push(end);
  return out;
}

const data = (payload: unknown) => `data: ${JSON.stringify(payload)}\r\n\r\n`;

describe('gemini stream encoder', () => {
  it('frames one part per text delta and ends with finishReason and usage', () => {
    const chunks = encodeStream([
      { type: 'start', id: 'resp-7', model: 'up' },
      { type: 'text-delta', text: 'Hel' },
      { type: 'text-delta', text: 'lo' },
      { type: 'finish', finishReason: 'stop', usage: { inputTokens: 2, outputTokens: 1 } },
    ]);
    expect(chunks).toEqual([
      data({
        candidates: [{ content: { role: 'model', parts: [{ text: 'Hel' }] }, index: 0 }],
        modelVersion: 'my-alias',
        responseId: 'resp-7',
      }),
      data({
        candidates: [{ content: { role: 'model', parts: [{ text: 'lo' }] }, index: 0 }],
        modelVersion: 'my-alias',
        responseId: 'resp-7',
      }),
      data({
        candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: 'STOP', index: 0 }],
        usageMetadata: { promptTokenCount: 2, candidatesTokenCount: 1, totalTokenCount: 3 },
        modelVersion: 'my-alias',
        responseId: 'resp-7',
      }),
    ]);
  });

  it('emits each function call whole, once its arguments are complete', () => {
    const chunks = encodeStream([
      { type: 'start', id: 'r', model: 'up' },
      { type: 'text-delta', text: 'Checking' },
      { type: 'tool-call-start', index: 0, id: 'call_a', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: '{"loca' },
      { type: 'tool-call-delta', index: 0, argumentsDelta: 'tion":"Paris"}' },
      { type: 'tool-call-start', index: 1, id: 'call_b', name: 'get_time' },
      { type: 'tool-call-delta', index: 1, argumentsDelta: '{}' },
      { type: 'usage', usage: { inputTokens: 4, outputTokens: 9 } },
      { type: 'finish', finishReason: 'tool-calls', usage: { inputTokens: 4, outputTokens: 9 } },
    ]);
    expect(chunks).toEqual([
      data({
        candidates: [{ content: { role: 'model', parts: [{ text: 'Checking' }] }, index: 0 }],
        modelVersion: 'my-alias',
        responseId: 'r',
      }),
      data({
        candidates: [
          {
            content: {
              role: 'model',
              parts: [{ functionCall: { name: 'get_weather', args: { location: 'Paris' }, id: 'call_a' } }],
            },
            index: 0,
          },
        ],
        modelVersion: 'my-alias',
        responseId: 'r',
      }),
      data({
        candidates: [
          {
            content: {
              role: 'model',
              parts: [{ functionCall: { name: 'get_time', args: {}, id: 'call_b' } }],
            },
            finishReason: 'STOP',
            index: 0,
          },
        ],
        usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 9, totalTokenCount: 13 },
        modelVersion: 'my-alias',
        responseId: 'r',
      }),
    ]);
  });

  it('marks reasoning deltas as thoughts', () => {
    const [chunk] = encodeStream([{ type: 'reasoning-delta', text: 'hmm', signature: 's' }]);
    expect(JSON.parse(chunk!.slice('data: '.length))).toEqual({
      candidates: [
        {
          content: { role: 'model', parts: [{ text: 'hmm', thought: true, thoughtSignature: 's' }] },
          index: 0,
        },
      ],
      modelVersion: 'my-alias',
    });
  });

  it('writes an error as a final data chunk in the error envelope', () => {
    const encoder = geminiClientProtocol.createStreamEncoder(context);
    expect(encoder.error(connectionError('p', new Error('socket hang up')))).toBe(
      data({
        error: { code: 502, message: 'Could not reach upstream p: socket hang up', status: 'UNAVAILABLE' },
      }),
    );
  });
});

describe('gemini renderError', () => {
  it.each([
    [new InvalidRequestError('contents: required', 'contents'), 400, 'INVALID_ARGUMENT'],
    [new AuthenticationError(), 401, 'UNAUTHENTICATED'],
    [new ModelNotFoundError('x'), 404, 'NOT_FOUND'],
    [new CapacityError('busy', 2000), 429, 'RESOURCE_EXHAUSTED'],
    [connectionError('p', new Error('slow'), true), 504, 'DEADLINE_EXCEEDED'],
    [providerErrorFromStatus({ provider: 'p', status: 500, message: 'boom' }), 500, 'INTERNAL'],
    [providerErrorFromStatus({ provider: 'p', status: 503, message: 'busy' }), 503, 'UNAVAILABLE'],
    [providerErrorFromStatus({ provider: 'p', status: 403, message: 'no' }), 502, 'UNAVAILABLE'],
  ])('renders %s as %i %s', (error, status, name) => {
    const rendered = geminiClientProtocol.renderError(error);
    expect(rendered.status).toBe(status);
    expect(rendered.body).toMatchObject({ error: { code: status, message: error.message, status: name } });
  });

  it('adds RetryInfo and BadRequest details', () => {
    expect(geminiClientProtocol.renderError(new CapacityError('busy', 30_000)).body).toEqual({
      error: {
        code: 429,
        message: 'busy',
        status: 'RESOURCE_EXHAUSTED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '30s' }],
      },
    });
    const bad = geminiClientProtocol.renderError(
      new InvalidRequestError('contents[0].role: bad', 'contents[0].role'),
    );
    expect(bad.body).toMatchObject({
      error: {
        details: [{ fieldViolations: [{ field: 'contents[0].role', description: 'contents[0].role: bad' }] }],
      },
    });
  });
});

describe('gemini usage', () => {
  const metadata = {
    promptTokenCount: 12,
    candidatesTokenCount: 5,
    totalTokenCount: 20,
    thoughtsTokenCount: 3,
    cachedContentTokenCount: 2,
  };
  const usage = { inputTokens: 12, outputTokens: 8, reasoningTokens: 3, cachedInputTokens: 2 };

  it('reads usage from a relayed body', () => {
    expect(geminiClientProtocol.usageFromBody({ candidates: [], usageMetadata: metadata })).toEqual(usage);
    expect(geminiClientProtocol.usageFromBody({ candidates: [] })).toBeUndefined();
    expect(geminiClientProtocol.usageFromBody('nonsense')).toBeUndefined();
  });

  it('observes the last usageMetadata of a relayed SSE stream, across chunk boundaries', () => {
    const observer = geminiClientProtocol.createStreamUsageObserver();
    const stream =
      data({ candidates: [], usageMetadata: { promptTokenCount: 12, totalTokenCount: 12 } }) +
      data({ candidates: [], usageMetadata: metadata });
    for (let index = 0; index < stream.length; index += 7)
      observer.push(Buffer.from(stream.slice(index, index + 7)));
    expect(observer.result()).toEqual(usage);
  });

  it('reports nothing for a stream without usage', () => {
    const observer = geminiClientProtocol.createStreamUsageObserver();
    observer.push(Buffer.from(data({ candidates: [] })));
    expect(observer.result()).toBeUndefined();
  });
});
