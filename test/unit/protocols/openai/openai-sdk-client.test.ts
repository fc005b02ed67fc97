/**
 * The official `openai` SDK as a client of the codec: a minimal server decodes with decodeRequest and
 * answers with encodeResult / the stream encoder / renderError, so the SDK judges what we produce.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtelierError, connectionError, toAtelierError } from '../../../../src/errors/index.js';
import { openaiClientProtocol, wantsStreamUsage } from '../../../../src/protocols/openai/index.js';
import type { ChatRequest, ChatResult, ChatStreamEvent } from '../../../../src/providers/spec.js';

let server: Server;
let client: OpenAI;
const decoded: ChatRequest[] = [];

/** A scripted canonical answer: a tool call when tools are offered, otherwise an echo with reasoning. */
function answer(request: ChatRequest): ChatResult {
  const last = request.messages.at(-1);
  const usage = { inputTokens: 7, outputTokens: 5, cachedInputTokens: 2, reasoningTokens: 1 };
  if (request.tools?.length && last?.role === 'user') {
    return {
      id: 'chatcmpl-tool',
      model: 'upstream',
      content: [
        { type: 'tool-call', id: 'call_x', name: request.tools[0]!.name, arguments: '{"location":"Paris"}' },
      ],
      finishReason: 'tool-calls',
      usage,
    };
  }
  const text = last?.role === 'tool' ? `Result: ${last.content[0]!.content}` : 'Echo from the codec';
  return {
    id: 'chatcmpl-text',
    model: 'upstream',
    content: [
      { type: 'reasoning', text: 'brief thought' },
      { type: 'text', text },
    ],
    finishReason: 'stop',
    usage,
  };
}

function eventsOf(result: ChatResult): ChatStreamEvent[] {
  const events: ChatStreamEvent[] = [{ type: 'start', id: result.id, model: result.model }];
  result.content.forEach((part, index) => {
    if (part.type === 'text')
      for (const piece of part.text.match(/.{1,3}/gs) ?? []) events.push({ type: 'text-delta', text: piece });
    if (part.type === 'reasoning') events.push({ type: 'reasoning-delta', text: part.text });
    if (part.type === 'tool-call') {
      events.push({ type: 'tool-call-start', index, id: part.id, name: part.name });
      for (const piece of part.arguments.match(/.{1,5}/gs) ?? []) {
        events.push({ type: 'tool-call-delta', index, argumentsDelta: piece });
      }
    }
  });
  events.push({ type: 'finish', finishReason: result.finishReason, usage: result.usage });
  return events;
}

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    try {
      const canonical = openaiClientProtocol.decodeRequest(body, {});
      decoded.push(canonical);
      const result = answer(canonical);
      const context = { model: (body as { model: string }).model, includeUsage: wantsStreamUsage(body) };
      if (!canonical.stream) {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify(openaiClientProtocol.encodeResult(result, context)));
        return;
      }
      const encoder = openaiClientProtocol.createStreamEncoder(context);
      response.writeHead(200, { 'content-type': encoder.contentType });
      const events = eventsOf(result);
      if (canonical.model === 'fail-mid-stream') {
        for (const event of events.slice(0, 3)) response.write(encoder.encode(event));
        response.end(encoder.error(connectionError('upstream-x', new Error('socket hang up'))));
        return;
      }
      for (const event of events) response.write(encoder.encode(event));
      response.end(encoder.end());
    } catch (error) {
      const rendered = openaiClientProtocol.renderError(
        error instanceof AtelierError ? error : toAtelierError(error),
      );
      response.writeHead(rendered.status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(rendered.body));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  client = new OpenAI({ apiKey: 'sk-client', baseURL: `http://127.0.0.1:${port}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const tools: OpenAI.Chat.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } },
];

describe('the OpenAI codec, consumed by the official SDK', () => {
  it('serves a non-streaming completion the SDK parses', async () => {
    const completion = await client.chat.completions.create({
      model: 'my-alias',
      messages: [
        { role: 'developer', content: 'Be terse.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Hi' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
          ],
        },
      ],
      max_completion_tokens: 20,
    });
    expect(decoded.at(-1)).toMatchObject({ system: 'Be terse.', maxOutputTokens: 20, model: 'my-alias' });
    expect(completion.model).toBe('my-alias');
    expect(completion.choices[0]!.message.content).toBe('Echo from the codec');
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(2);
  });

  it('serves a stream the SDK stream helper assembles, with usage', async () => {
    const runner = client.chat.completions.stream({
      model: 'my-alias',
      messages: [{ role: 'user', content: 'Hi' }],
      stream_options: { include_usage: true },
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe('Echo from the codec');
    expect(final.choices[0]!.finish_reason).toBe('stop');
    expect(final.usage).toMatchObject({ prompt_tokens: 7, completion_tokens: 5, total_tokens: 12 });
  });

  it('serves tool calls, streamed and not, and decodes the tool result turn', async () => {
    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather?' }];
    const completion = await client.chat.completions.create({ model: 'm', messages, tools });
    const message = completion.choices[0]!.message;
    expect(completion.choices[0]!.finish_reason).toBe('tool_calls');
    expect(message.content).toBeNull();

    const streamed = await client.chat.completions
      .stream({ model: 'm', messages, tools })
      .finalChatCompletion();
    const call = streamed.choices[0]!.message.tool_calls![0]!;
    expect(call).toMatchObject({
      id: 'call_x',
      type: 'function',
      function: { name: 'get_weather', arguments: '{"location":"Paris"}' },
    });

    const followUp = await client.chat.completions.create({
      model: 'm',
      tools,
      messages: [...messages, message, { role: 'tool', tool_call_id: 'call_x', content: 'sunny' }],
    });
    expect(followUp.choices[0]!.message.content).toBe('Result: sunny');
    expect(decoded.at(-1)!.messages.at(-1)).toEqual({
      role: 'tool',
      content: [{ type: 'tool-result', toolCallId: 'call_x', toolName: 'get_weather', content: 'sunny' }],
    });
  });

  it('ends a failed stream with an error event the SDK throws as an APIError', async () => {
    const stream = await client.chat.completions.create({
      model: 'fail-mid-stream',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    let text = '';
    const consume = async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    };
    await expect(consume()).rejects.toBeInstanceOf(OpenAI.APIError);
    expect(text).toBe('Ech');
  });

  it('renders validation errors the SDK raises as BadRequestError with param', async () => {
    const failure = client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
      temperature: 9,
    });
    await expect(failure).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(failure).rejects.toMatchObject({
      status: 400,
      param: 'temperature',
      type: 'invalid_request_error',
    });
  });
});
