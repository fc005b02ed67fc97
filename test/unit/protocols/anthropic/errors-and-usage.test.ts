import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  CapacityError,
  InternalError,
  InvalidRequestError,
  ModelNotFoundError,
  PermissionError,
  connectionError,
  providerErrorFromStatus,
  type AtelierError,
} from '../../../../src/errors/index.js';
import { anthropicClientProtocol } from '../../../../src/protocols/anthropic/index.js';

const upstream = (status: number, hint?: Parameters<typeof providerErrorFromStatus>[0]['hint']) =>
  providerErrorFromStatus({ provider: 'p', status, message: `upstream ${status}`, hint });

describe('anthropic renderError', () => {
  it.each<[string, AtelierError, number, string]>([
    ['invalid request', new InvalidRequestError('messages: bad', 'messages'), 400, 'invalid_request_error'],
    ['authentication', new AuthenticationError(), 401, 'authentication_error'],
    ['permission', new PermissionError(), 403, 'permission_error'],
    ['not found', new ModelNotFoundError('gpt-9'), 404, 'not_found_error'],
    ['too large', upstream(413), 413, 'request_too_large'],
    ['rate limit', upstream(429), 429, 'rate_limit_error'],
    ['capacity', new CapacityError('busy'), 429, 'rate_limit_error'],
    ['internal', new InternalError(), 500, 'api_error'],
    ['upstream 500', upstream(500), 500, 'api_error'],
    ['overloaded', upstream(529), 529, 'overloaded_error'],
    ['overloaded from a 503', upstream(503), 529, 'overloaded_error'],
    ['our upstream credential rejected', upstream(401), 502, 'api_error'],
    ['timeout', connectionError('p', new Error('slow'), true), 504, 'api_error'],
  ])('%s', (_name, error, status, type) => {
    expect(anthropicClientProtocol.renderError(error)).toEqual({
      status,
      body: { type: 'error', error: { type, message: error.message } },
    });
  });
});

describe('anthropic usage', () => {
  it('reads usage from a relayed message body, counting cache tokens as input', () => {
    expect(
      anthropicClientProtocol.usageFromBody({
        usage: {
          input_tokens: 10,
          output_tokens: 5,
          cache_read_input_tokens: 90,
          cache_creation_input_tokens: 4,
        },
      }),
    ).toEqual({ inputTokens: 104, outputTokens: 5, cachedInputTokens: 90 });
    expect(anthropicClientProtocol.usageFromBody({ nope: true })).toBeUndefined();
    expect(anthropicClientProtocol.usageFromBody(null)).toBeUndefined();
  });

  const relayedStream = [
    'event: message_start\n',
    'data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"cache_read_input_tokens":5,"output_tokens":1}}}\n\n',
    'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
    'event: ping\ndata: {"type": "ping"}\n\n',
    // a text delta that merely mentions usage must not be read
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\\"usage\\":{\\"output_tokens\\":999}"}}\n\n',
    'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
    'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":7}}\n\n',
    'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":15}}\n\n',
    'event: message_stop\ndata: {"type":"message_stop"}\n\n',
  ].join('');

  it('observes a relayed stream fed in arbitrary chunks', () => {
    for (const size of [1, 3, 17, 1000]) {
      const observer = anthropicClientProtocol.createStreamUsageObserver();
      const bytes = Buffer.from(relayedStream);
      for (let offset = 0; offset < bytes.length; offset += size)
        observer.push(bytes.subarray(offset, offset + size));
      expect(observer.result()).toEqual({ inputTokens: 30, outputTokens: 15, cachedInputTokens: 5 });
    }
  });

  it('takes newer cumulative totals from message_delta and handles CRLF framing', () => {
    const observer = anthropicClientProtocol.createStreamUsageObserver();
    observer.push(
      Buffer.from(
        'event: message_start\r\ndata: {"type":"message_start","message":{"usage":{"input_tokens":0,"output_tokens":0}}}\r\n\r\n' +
          'event: message_delta\r\ndata: {"type":"message_delta","delta":{},"usage":{"output_tokens":9,"input_tokens":31}}\r\n\r\n',
      ),
    );
    expect(observer.result()).toEqual({ inputTokens: 31, outputTokens: 9 });
  });

  it('reports nothing for a stream without usage', () => {
    const empty = anthropicClientProtocol.createStreamUsageObserver();
    empty.push(Buffer.from('event: ping\ndata: {"type":"ping"}\n\n'));
    expect(empty.result()).toBeUndefined();
  });
});
