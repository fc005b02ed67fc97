/**
 * The official @google/genai client against the fake (proving the fake speaks the protocol the SDK
 * expects), and against a minimal server built from Atelier's Gemini client protocol (proving the
 * codec's answers are what the SDK can read).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FunctionCallingConfigMode, GoogleGenAI, Type } from '@google/genai';
import { geminiClientProtocol } from '../../../../src/protocols/gemini/index.js';
import type { ChatRequest, ChatStreamEvent } from '../../../../src/providers/spec.js';
import type { FakeUpstream } from '../../../fakes/fake-server.js';
import { startFakeGemini } from '../../../fakes/gemini-upstream.js';

const weatherDeclaration = {
  name: 'get_weather',
  description: 'Current weather for a city',
  parameters: { type: Type.OBJECT, properties: { location: { type: Type.STRING } }, required: ['location'] },
};

describe('@google/genai against the fake Gemini', () => {
  let fake: FakeUpstream;
  let ai: GoogleGenAI;

  beforeAll(async () => {
    fake = await startFakeGemini();
    ai = new GoogleGenAI({ apiKey: 'sdk-key', httpOptions: { baseUrl: fake.url } });
  });
  afterAll(() => fake.close());

  it('generateContent', async () => {
    const response = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'Hello from the SDK',
      config: { systemInstruction: 'Be nice', temperature: 0.5, stopSequences: ['zzz'] },
    });
    expect(response.text).toBe('Echo: Hello from the SDK');
    expect(response.candidates?.[0]?.finishReason).toBe('STOP');
    expect(response.usageMetadata).toMatchObject({
      promptTokenCount: 6,
      candidatesTokenCount: 5,
      totalTokenCount: 11,
    });
    const sent = fake.requests.at(-1)!;
    expect(sent.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(sent.headers['x-goog-api-key']).toBe('sdk-key');
    // The SDK's own body decodes cleanly into the canonical request.
    const decoded = geminiClientProtocol.decodeRequest(sent.body, {
      model: 'gemini-2.5-flash',
      stream: false,
    });
    expect(decoded).toMatchObject({
      system: 'Be nice',
      temperature: 0.5,
      stopSequences: ['zzz'],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello from the SDK' }] }],
    });
  });

  it('generateContentStream', async () => {
    const stream = await ai.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'Stream this answer',
    });
    const texts: string[] = [];
    let finishReason: string | undefined;
    for await (const chunk of stream) {
      texts.push(chunk.text ?? '');
      finishReason = chunk.candidates?.[0]?.finishReason ?? finishReason;
    }
    expect(texts.length).toBeGreaterThan(3);
    expect(texts.join('')).toBe('Echo: Stream this answer');
    expect(finishReason).toBe('STOP');
    expect(fake.requests.at(-1)!.query.get('alt')).toBe('sse');
  });

  it('function calling, then the function response', async () => {
    const config = {
      tools: [{ functionDeclarations: [weatherDeclaration] }],
      toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.AUTO } },
    };
    const question = { role: 'user', parts: [{ text: 'What is the weather in Paris?' }] };
    const first = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: [question],
      config,
    });
    expect(first.functionCalls).toEqual([{ name: 'get_weather', args: { location: 'Paris' } }]);
    const decoded = geminiClientProtocol.decodeRequest(fake.requests.at(-1)!.body, {
      model: 'gemini-2.5-flash',
    });
    expect(decoded.tools).toEqual([
      {
        name: 'get_weather',
        description: 'Current weather for a city',
        parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
      },
    ]);

    const second = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: [
        question,
        first.candidates![0]!.content!,
        {
          role: 'user',
          parts: [{ functionResponse: { name: 'get_weather', response: { result: 'Sunny' } } }],
        },
      ],
      config,
    });
    expect(second.text).toBe('Tool get_weather said: Sunny');
  });

  it('lists models across pages', async () => {
    const pager = await ai.models.list({ config: { pageSize: 2 } });
    const names: string[] = [];
    for await (const model of pager) names.push(model.name ?? '');
    expect(names).toContain('models/gemini-2.5-flash');
    expect(names.length).toBe(5);
  });

  it('surfaces the fake’s error envelope as the SDK’s ApiError', async () => {
    const bad = new GoogleGenAI({ apiKey: 'fault-401', httpOptions: { baseUrl: fake.url } });
    await expect(
      bad.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' }),
    ).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('API_KEY_INVALID'),
    });
  });
});

/** A gateway in miniature: decode with the client protocol, answer canned events, encode back. */
function miniGateway(answer: (request: ChatRequest) => ChatStreamEvent[]): Promise<Server> {
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const match = /\/v1beta\/models\/([^:]+):(\w+)/.exec(request.url ?? '')!;
    const stream = match[2] === 'streamGenerateContent';
    const context = { model: match[1]! };
    try {
      const decoded = geminiClientProtocol.decodeRequest(JSON.parse(Buffer.concat(chunks).toString('utf8')), {
        model: match[1]!,
        stream,
      });
      const events = answer(decoded);
      if (stream) {
        const encoder = geminiClientProtocol.createStreamEncoder(context);
        response.writeHead(200, { 'content-type': encoder.contentType });
        for (const event of events) response.write(encoder.encode(event));
        response.end(encoder.end());
        return;
      }
      const text = events.flatMap((event) => (event.type === 'text-delta' ? [event.text] : [])).join('');
      const calls = events.filter((event) => event.type === 'tool-call-start');
      const result = {
        id: 'resp-1',
        model: 'upstream',
        content: calls.length
          ? calls.map((call) => ({
              type: 'tool-call' as const,
              id: call.id,
              name: call.name,
              arguments: '{"location":"Paris"}',
            }))
          : [{ type: 'text' as const, text }],
        finishReason: calls.length ? ('tool-calls' as const) : ('stop' as const),
        usage: { inputTokens: 3, outputTokens: 2 },
      };
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(geminiClientProtocol.encodeResult(result, context)));
    } catch (error) {
      const rendered = geminiClientProtocol.renderError(error as never);
      response.writeHead(rendered.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(rendered.body));
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('@google/genai against the Gemini client protocol', () => {
  let server: Server;
  let ai: GoogleGenAI;

  beforeAll(async () => {
    server = await miniGateway((request) => {
      const last = request.messages.at(-1)!;
      if (request.tools?.length) {
        return [
          { type: 'start', id: 'resp-2', model: 'up' },
          { type: 'tool-call-start', index: 0, id: 'call_xyz', name: request.tools[0]!.name },
          { type: 'tool-call-delta', index: 0, argumentsDelta: '{"location":' },
          { type: 'tool-call-delta', index: 0, argumentsDelta: '"Paris"}' },
          { type: 'finish', finishReason: 'tool-calls', usage: { inputTokens: 3, outputTokens: 2 } },
        ];
      }
      const text = last.role === 'user' && last.content[0]?.type === 'text' ? last.content[0].text : '?';
      return [
        { type: 'start', id: 'resp-1', model: 'up' },
        { type: 'text-delta', text: 'You said: ' },
        { type: 'text-delta', text },
        { type: 'finish', finishReason: 'stop', usage: { inputTokens: 3, outputTokens: 2 } },
      ];
    });
    ai = new GoogleGenAI({
      apiKey: 'k',
      httpOptions: { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` },
    });
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads an encoded result', async () => {
    const response = await ai.models.generateContent({ model: 'alias', contents: 'hi' });
    expect(response.text).toBe('You said: hi');
    expect(response.modelVersion).toBe('alias');
    expect(response.responseId).toBe('resp-1');
    expect(response.usageMetadata?.totalTokenCount).toBe(5);
  });

  it('reads an encoded stream, including a whole function call', async () => {
    const texts: string[] = [];
    for await (const chunk of await ai.models.generateContentStream({
      model: 'alias',
      contents: 'streamed',
    })) {
      texts.push(chunk.text ?? '');
    }
    expect(texts.join('')).toBe('You said: streamed');

    const calls: unknown[] = [];
    for await (const chunk of await ai.models.generateContentStream({
      model: 'alias',
      contents: 'weather?',
      config: { tools: [{ functionDeclarations: [weatherDeclaration] }] },
    })) {
      calls.push(...(chunk.functionCalls ?? []));
    }
    expect(calls).toEqual([{ name: 'get_weather', args: { location: 'Paris' }, id: 'call_xyz' }]);
  });

  it('reads a rendered error', async () => {
    await expect(
      ai.models.generateContent({ model: 'alias', contents: 'x', config: { tools: [{ googleSearch: {} }] } }),
    ).rejects.toMatchObject({ status: 400, message: expect.stringContaining('googleSearch') });
  });
});
