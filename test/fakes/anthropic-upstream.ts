/**
 * A fake Anthropic Messages API on loopback: POST /v1/messages (JSON and SSE, framed as Anthropic frames
 * them: `event: <type>` + `data: <json>`, with a ping after the first block opens and tool input streamed
 * as input_json_delta fragments) and GET /v1/models. Errors use Anthropic's envelope with a request-id
 * header. Besides the shared faults (faults.ts) it knows a few Anthropic-only keys:
 *   fault-529 → 529 overloaded_error        fault-403 → 403 permission_error
 *   fault-credit → 400 "credit balance too low"   fault-413 → 413 request_too_large
 *   fault-stream-error → a 200 stream that sends `event: error` (overloaded) after message_start
 */
import type { ServerResponse } from 'node:http';
import { countWords, fakeTurn, streamPieces, type FakeTurnInput } from './fake-behaviour.js';
import { cutAfter, startFakeServer, type FakeContext, type FakeUpstream } from './fake-server.js';

export const fakeAnthropicModels = ['claude-sonnet-4-5', 'claude-haiku-4-5', 'claude-opus-4-1'];

let sequence = 0;
const nextId = (prefix: string) => `${prefix}_fake${(++sequence).toString().padStart(6, '0')}`;

type Json = Record<string, unknown>;

function keyOf(headers: FakeContext['request']['headers']): string | undefined {
  const apiKey = headers['x-api-key'];
  if (typeof apiKey === 'string') return apiKey;
  const authorization = headers.authorization;
  return typeof authorization === 'string' && authorization.startsWith('Bearer ')
    ? authorization.slice(7)
    : undefined;
}

function sendError(
  response: ServerResponse,
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const requestId = nextId('req');
  response.writeHead(status, { 'content-type': 'application/json', 'request-id': requestId, ...headers });
  response.end(JSON.stringify({ type: 'error', error: { type, message }, request_id: requestId }));
}

/** The faults the handler itself answers; true when one was sent. */
function answeredFault(context: FakeContext, key: string): boolean {
  const { response, fault } = context;
  if (fault.kind === 'status') {
    switch (fault.status) {
      case 429:
        sendError(
          response,
          429,
          'rate_limit_error',
          'Number of request tokens has exceeded your per-minute rate limit',
          {
            'retry-after': '30',
          },
        );
        return true;
      case 500:
        sendError(response, 500, 'api_error', 'Internal server error');
        return true;
      case 401:
        sendError(response, 401, 'authentication_error', 'invalid x-api-key');
        return true;
      case 400:
        sendError(
          response,
          400,
          'invalid_request_error',
          'messages: roles must alternate between "user" and "assistant"',
        );
        return true;
    }
  }
  if (key.startsWith('fault-529')) sendError(response, 529, 'overloaded_error', 'Overloaded');
  else if (key.startsWith('fault-403'))
    sendError(
      response,
      403,
      'permission_error',
      'Your API key does not have permission to use the specified resource.',
    );
  else if (key.startsWith('fault-credit'))
    sendError(
      response,
      400,
      'invalid_request_error',
      'Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.',
    );
  else if (key.startsWith('fault-413'))
    sendError(response, 413, 'request_too_large', 'Request exceeds the maximum allowed number of bytes.');
  else return false;
  return true;
}

export async function startFakeAnthropic(): Promise<FakeUpstream> {
  return startFakeServer(
    (request) => keyOf(request.headers),
    (context) => {
      const { request, response } = context;
      const key = keyOf(request.headers);
      if (key === undefined) {
        sendError(response, 401, 'authentication_error', 'x-api-key header is required');
        return;
      }
      if (request.headers['anthropic-version'] === undefined) {
        sendError(response, 400, 'invalid_request_error', 'anthropic-version: header is required');
        return;
      }
      if (answeredFault(context, key)) return;
      if (request.method === 'GET' && request.path === '/v1/models') return listModels(response);
      if (request.method === 'POST' && request.path === '/v1/messages') return messages(context, key);
      sendError(response, 404, 'not_found_error', `Not found: ${request.method} ${request.path}`);
    },
  );
}

function listModels(response: ServerResponse): void {
  const data = fakeAnthropicModels.map((id) => ({
    type: 'model',
    id,
    display_name: id,
    created_at: '2025-09-29T00:00:00Z',
  }));
  response.writeHead(200, { 'content-type': 'application/json', 'request-id': nextId('req') });
  response.end(JSON.stringify({ data, has_more: false, first_id: data[0]?.id, last_id: data.at(-1)?.id }));
}

// ---------------------------------------------------------------------------------------------------
// POST /v1/messages
// ---------------------------------------------------------------------------------------------------

function blocksOf(content: unknown): Json[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content)
    ? (content.filter((block) => typeof block === 'object' && block !== null) as Json[])
    : [];
}

function textOf(blocks: Json[]): string {
  return blocks
    .filter((block) => block.type === 'text' && typeof block.text === 'string')
    .map((block) => block.text as string)
    .join(' ');
}

function toolResultText(block: Json): string {
  return typeof block.content === 'string' ? block.content : textOf(blocksOf(block.content));
}

function turnInput(body: Json): FakeTurnInput {
  const messages = (Array.isArray(body.messages) ? body.messages : []) as Json[];
  const toolNamesById = new Map<string, string>();
  const prompt: string[] = [];
  if (typeof body.system === 'string') prompt.push(body.system);
  else prompt.push(textOf(blocksOf(body.system)));
  let lastUserText = '';
  let imageCount = 0;
  let lastToolResult: FakeTurnInput['lastToolResult'];
  for (const message of messages) {
    const blocks = blocksOf(message.content);
    lastToolResult = undefined;
    for (const block of blocks) {
      if (block.type === 'tool_use') toolNamesById.set(String(block.id), String(block.name));
      if (block.type === 'image') imageCount++;
      if (block.type === 'tool_result') {
        const content = toolResultText(block);
        prompt.push(content);
        imageCount += blocksOf(block.content).filter((inner) => inner.type === 'image').length;
        lastToolResult = { name: toolNamesById.get(String(block.tool_use_id)) ?? 'unknown', content };
      }
    }
    const text = textOf(blocks);
    prompt.push(text);
    if (message.role === 'user' && text !== '') lastUserText = text;
  }
  const tools = (Array.isArray(body.tools) ? body.tools : []) as Json[];
  return {
    lastUserText,
    toolNames: tools.map((tool) => String(tool.name)),
    ...(lastToolResult && { lastToolResult }),
    promptText: prompt.join(' '),
    imageCount,
  };
}

interface Answer {
  blocks: Json[];
  stopReason: string;
  stopSequence: string | null;
  inputTokens: number;
  outputTokens: number;
}

/** fakeTurn's answer, with stop_sequences and max_tokens applied as the real API applies them. */
function answer(body: Json): Answer {
  const turn = fakeTurn(turnInput(body));
  if (turn.kind === 'tool-call') {
    return {
      blocks: [
        { type: 'tool_use', id: nextId('toolu'), name: turn.name, input: JSON.parse(turn.arguments) as Json },
      ],
      stopReason: 'tool_use',
      stopSequence: null,
      inputTokens: turn.inputTokens,
      outputTokens: turn.outputTokens,
    };
  }
  let text = turn.text;
  let stopReason = 'end_turn';
  let stopSequence: string | null = null;
  const stops = (Array.isArray(body.stop_sequences) ? body.stop_sequences : []).filter(
    (stop): stop is string => typeof stop === 'string' && stop !== '',
  );
  const hit = stops
    .map((stop) => ({ stop, at: text.indexOf(stop) }))
    .filter((candidate) => candidate.at !== -1)
    .sort((left, right) => left.at - right.at)[0];
  if (hit) {
    text = text.slice(0, hit.at);
    stopReason = 'stop_sequence';
    stopSequence = hit.stop;
  }
  const maxTokens = body.max_tokens as number;
  if (countWords(text) > maxTokens) {
    text = text.trim().split(/\s+/).slice(0, maxTokens).join(' ');
    stopReason = 'max_tokens';
    stopSequence = null;
  }
  return {
    blocks: [{ type: 'text', text }],
    stopReason,
    stopSequence,
    inputTokens: turn.inputTokens,
    outputTokens: countWords(text),
  };
}

function messages(context: FakeContext, key: string): void {
  const { request, response, fault } = context;
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    sendError(
      response,
      400,
      'invalid_request_error',
      'There was an issue with the format of your request: body must be a JSON object',
    );
    return;
  }
  const json = body as Json;
  if (json.max_tokens === undefined) {
    sendError(response, 400, 'invalid_request_error', 'max_tokens: Field required');
    return;
  }
  if (typeof json.max_tokens !== 'number' || !Number.isInteger(json.max_tokens) || json.max_tokens < 1) {
    sendError(response, 400, 'invalid_request_error', 'max_tokens: Input should be a valid positive integer');
    return;
  }
  if (!Array.isArray(json.messages)) {
    sendError(response, 400, 'invalid_request_error', 'messages: Field required');
    return;
  }
  const model = typeof json.model === 'string' ? json.model : 'claude-sonnet-4-5';
  const result = answer(json);
  const id = nextId('msg');
  if (json.stream === true) {
    streamAnswer(response, {
      id,
      model,
      result,
      cut: fault.kind === 'cut',
      error: key.startsWith('fault-stream-error'),
    });
    return;
  }
  const message = {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content: result.blocks,
    stop_reason: result.stopReason,
    stop_sequence: result.stopSequence,
    usage: {
      input_tokens: result.inputTokens,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      output_tokens: result.outputTokens,
      service_tier: 'standard',
    },
  };
  const text = JSON.stringify(message);
  response.writeHead(200, { 'content-type': 'application/json', 'request-id': nextId('req') });
  if (fault.kind === 'cut') cutAfter(response, text.slice(0, Math.floor(text.length / 2)));
  else response.end(text);
}

function frame(type: string, data: Json): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

function streamAnswer(
  response: ServerResponse,
  input: { id: string; model: string; result: Answer; cut: boolean; error: boolean },
): void {
  const { id, model, result } = input;
  const events: string[] = [
    frame('message_start', {
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: result.inputTokens,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          output_tokens: 1,
          service_tier: 'standard',
        },
      },
    }),
  ];
  result.blocks.forEach((block, index) => {
    if (block.type === 'tool_use') {
      events.push(frame('content_block_start', { index, content_block: { ...block, input: {} } }));
      if (index === 0) events.push(frame('ping', {}));
      events.push(
        frame('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: '' } }),
      );
      for (const piece of streamPieces(JSON.stringify(block.input), 5)) {
        events.push(
          frame('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: piece } }),
        );
      }
    } else {
      events.push(frame('content_block_start', { index, content_block: { type: 'text', text: '' } }));
      if (index === 0) events.push(frame('ping', {}));
      for (const piece of streamPieces(String(block.text))) {
        events.push(frame('content_block_delta', { index, delta: { type: 'text_delta', text: piece } }));
      }
    }
    events.push(frame('content_block_stop', { index }));
  });
  events.push(
    frame('message_delta', {
      delta: { stop_reason: result.stopReason, stop_sequence: result.stopSequence },
      usage: { output_tokens: result.outputTokens },
    }),
    frame('message_stop', {}),
  );

  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'request-id': nextId('req'),
  });
  if (input.error) {
    response.write(events[0]);
    response.end(frame('error', { error: { type: 'overloaded_error', message: 'Overloaded' } }));
    return;
  }
  if (input.cut) {
    cutAfter(response, events.slice(0, Math.ceil(events.length / 2)).join(''));
    return;
  }
  for (const event of events) response.write(event);
  response.end();
}
