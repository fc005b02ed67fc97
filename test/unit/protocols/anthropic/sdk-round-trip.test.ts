/**
 * The official SDK reading what this protocol writes: a minimal in-test server decodes the SDK's request
 * with anthropicClientProtocol, translates it through the canonical model to the Anthropic provider and the
 * fake upstream, and encodes the answer back (JSON, SSE or error envelope). Not a relay: every byte the SDK
 * reads here was produced by encodeResult, the stream encoder or renderError.
 */
import Anthropic from '@anthropic-ai/sdk';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toAtelierError } from '../../../../src/errors/index.js';
import { anthropicClientProtocol as protocol } from '../../../../src/protocols/anthropic/index.js';
import { createAnthropicProvider } from '../../../../src/providers/anthropic/index.js';
import { startFakeAnthropic } from '../../../fakes/anthropic-upstream.js';
import type { FakeUpstream } from '../../../fakes/fake-server.js';

let fake: FakeUpstream;
let server: Server;
let baseURL: string;

beforeAll(async () => {
  fake = await startFakeAnthropic();
  const chat = createAnthropicProvider({
    id: 'anthropic-upstream',
    baseURL: fake.url,
    dispatcher: new Agent({ keepAliveTimeout: 10_000 }),
    timeoutMs: 5_000,
  }).chat!;
  server = createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const options = {
      credential: { id: 'c', apiKey: String(incoming.headers['x-api-key']) },
      signal: new AbortController().signal,
    };
    try {
      const request = protocol.decodeRequest(JSON.parse(Buffer.concat(chunks).toString('utf8')), {});
      const context = { model: request.model };
      const upstream = { ...request, model: 'claude-haiku-4-5' };
      if (!request.stream) {
        const result = await chat.generate(upstream, options);
        outgoing.writeHead(200, { 'content-type': 'application/json' });
        outgoing.end(JSON.stringify(protocol.encodeResult(result, context)));
        return;
      }
      const events = await chat.stream(upstream, options);
      const encoder = protocol.createStreamEncoder(context);
      outgoing.writeHead(200, { 'content-type': encoder.contentType });
      for await (const event of events) outgoing.write(encoder.encode(event));
      outgoing.end(encoder.end());
    } catch (error) {
      const rendered = protocol.renderError(toAtelierError(error));
      outgoing.writeHead(rendered.status, { 'content-type': 'application/json' });
      outgoing.end(JSON.stringify(rendered.body));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await fake.close();
});

const client = (apiKey = 'sk-ant-good') => new Anthropic({ apiKey, baseURL, maxRetries: 0 });
const weatherTool: Anthropic.Tool = {
  name: 'get_weather',
  input_schema: { type: 'object', properties: { location: { type: 'string' } } },
};

describe('@anthropic-ai/sdk reading anthropicClientProtocol output', () => {
  it('reads an encoded message under the alias the client asked for', async () => {
    const message = await client().messages.create({
      model: 'my-alias',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'Round trip' }],
    });
    expect(message).toMatchObject({
      model: 'my-alias',
      content: [{ type: 'text', text: 'Echo: Round trip' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 2, output_tokens: 3 },
    });
  });

  it('accumulates an encoded stream with messages.stream, usage included', async () => {
    const stream = client().messages.stream({
      model: 'my-alias',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'Stream the round trip' }],
    });
    const pieces: string[] = [];
    stream.on('text', (text) => pieces.push(text));
    const message = await stream.finalMessage();
    expect(pieces.join('')).toBe('Echo: Stream the round trip');
    expect(message.content).toEqual([{ type: 'text', text: 'Echo: Stream the round trip' }]);
    expect(message.usage).toMatchObject({ input_tokens: 4, output_tokens: 5 });
  });

  it('accumulates an encoded tool_use stream into a parsed input', async () => {
    const message = await client()
      .messages.stream({
        model: 'my-alias',
        max_tokens: 50,
        tools: [weatherTool],
        messages: [{ role: 'user', content: 'weather in Paris?' }],
      })
      .finalMessage();
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toEqual([
      {
        type: 'tool_use',
        id: expect.stringMatching(/^toolu_/),
        name: 'get_weather',
        input: { location: 'Paris' },
      },
    ]);
  });

  it('reads rendered errors as the SDK error classes', async () => {
    const invalid = await client()
      .messages.create({ model: 'my-alias', max_tokens: 0, messages: [] })
      .catch((caught: unknown) => caught);
    expect(invalid).toBeInstanceOf(Anthropic.BadRequestError);
    expect((invalid as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error' },
    });

    const overloaded = await client('fault-529')
      .messages.create({ model: 'my-alias', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })
      .catch((caught: unknown) => caught);
    expect(overloaded).toBeInstanceOf(Anthropic.APIError);
    expect((overloaded as InstanceType<typeof Anthropic.APIError>).status).toBe(529);
  });
});
