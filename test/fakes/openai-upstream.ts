/**
 * A fake OpenAI API on loopback speaking the real Chat Completions wire format: JSON answers,
 * `data: {chunk}\n\n` streams ending in `data: [DONE]`, stream_options.include_usage, tool calls streamed
 * as OpenAI streams them (first fragment with id and name, then argument fragments), GET /v1/models, and
 * OpenAI-shaped errors. Faults are chosen by the bearer token (see faults.ts). Images, videos, speech and
 * transcription live in openai-media-upstream.ts.
 */
import type { ServerResponse } from 'node:http';
import { cutAfter, startFakeServer, type FakeContext, type FakeUpstream } from './fake-server.js';
import { createOpenAIMediaState, handleOpenAIMedia } from './openai-media-upstream.js';
import {
  countWords,
  fakeTurn,
  streamPieces,
  type FakeTurnInput,
  type FakeTurnOutput,
} from './fake-behaviour.js';

export const fakeOpenAIModels = ['gpt-4o-mini', 'gpt-4o', 'o3-mini', 'deepseek-reasoner'];

export function startFakeOpenAI(): Promise<FakeUpstream> {
  let counter = 0;
  const media = createOpenAIMediaState();
  return startFakeServer(
    (request) => bearerToken(request.headers.authorization),
    async (context) => {
      const { request, response, fault } = context;
      const key = bearerToken(request.headers.authorization);
      if (!key) {
        return sendError(response, 401, {
          message:
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
          type: 'invalid_request_error',
          param: null,
          code: null,
        });
      }
      if (fault.kind === 'status') return sendStatusFault(response, fault.status, key);
      if (request.method === 'GET' && request.path === '/v1/models') return sendModels(context);
      if (request.method === 'POST' && request.path === '/v1/chat/completions') {
        return sendChatCompletion(context, `chatcmpl-fake${++counter}`);
      }
      if (await handleOpenAIMedia(context, media)) return;
      return sendError(response, 404, {
        message: `Invalid URL (${request.method} ${request.path})`,
        type: 'invalid_request_error',
        param: null,
        code: null,
      });
    },
  );
}

function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return match?.[1]?.trim();
}

export interface WireError {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

export function sendError(
  response: ServerResponse,
  status: number,
  error: WireError,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify({ error }));
}

function sendStatusFault(response: ServerResponse, status: 429 | 500 | 401 | 400, key: string): void {
  switch (status) {
    case 429:
      return sendError(
        response,
        429,
        {
          message:
            'Rate limit reached for gpt-4o-mini in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 30s.',
          type: 'requests',
          param: null,
          code: 'rate_limit_exceeded',
        },
        { 'retry-after': '30' },
      );
    case 500:
      return sendError(response, 500, {
        message: 'The server had an error while processing your request. Sorry about that!',
        type: 'server_error',
        param: null,
        code: null,
      });
    case 401:
      return sendError(response, 401, {
        message: `Incorrect API key provided: ${key.slice(0, 6)}****. You can find your API key at https://platform.openai.com/account/api-keys.`,
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      });
    case 400:
      return sendError(response, 400, {
        message: "Invalid value for 'temperature': must be between 0 and 2.",
        type: 'invalid_request_error',
        param: 'temperature',
        code: 'invalid_value',
      });
  }
}

function sendModels({ response, fault }: FakeContext): void {
  const body = JSON.stringify({
    object: 'list',
    data: fakeOpenAIModels.map((id) => ({ id, object: 'model', created: 1_700_000_000, owned_by: 'openai' })),
  });
  sendJson(response, body, fault.kind === 'cut');
}

function sendJson(response: ServerResponse, body: string, cut: boolean): void {
  response.writeHead(200, { 'content-type': 'application/json' });
  if (cut) cutAfter(response, body.slice(0, Math.floor(body.length / 2)));
  else response.end(body);
}

// ---------------------------------------------------------------------------------------------------
// Chat completions
// ---------------------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

function missing(response: ServerResponse, param: string): void {
  sendError(response, 400, {
    message: `Missing required parameter: '${param}'.`,
    type: 'invalid_request_error',
    param,
    code: 'missing_required_parameter',
  });
}

function sendChatCompletion({ request, response, fault }: FakeContext, id: string): void {
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return sendError(response, 400, {
      message:
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
      type: 'invalid_request_error',
      param: null,
      code: null,
    });
  }
  const wire = body as Json;
  if (typeof wire['model'] !== 'string') return missing(response, 'model');
  if (!Array.isArray(wire['messages'])) return missing(response, 'messages');
  if (wire['messages'].length === 0) {
    return sendError(response, 400, {
      message:
        "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      type: 'invalid_request_error',
      param: 'messages',
      code: 'empty_array',
    });
  }

  const model = wire['model'];
  const choiceCount = typeof wire['n'] === 'number' ? wire['n'] : 1;
  const turn = limitTurn(fakeTurn(turnInput(wire)), wire);
  const reasoning = model.includes('reasoner')
    ? `Thinking about: ${turnInput(wire).lastUserText}`
    : undefined;
  const answer: Answer = { id, model, created: Math.floor(Date.now() / 1000), turn, reasoning, choiceCount };
  const streamOptions = wire['stream_options'] as Json | undefined;
  if (wire['stream'] === true) {
    return sendStream(response, answer, streamOptions?.['include_usage'] === true, fault.kind === 'cut');
  }
  sendJson(response, JSON.stringify(completion(answer)), fault.kind === 'cut');
}

function turnInput(wire: Json): FakeTurnInput {
  const messages = (wire['messages'] as unknown[]).filter((message): message is Json => isJson(message));
  const tools = Array.isArray(wire['tools']) ? wire['tools'].filter(isJson) : [];
  const toolNames = tools.map((tool) => String((tool['function'] as Json | undefined)?.['name'] ?? ''));
  const callNames = new Map<string, string>();
  let lastUserText = '';
  let promptText = '';
  let imageCount = 0;
  for (const message of messages) {
    const { text, images } = readContent(message['content']);
    promptText += ` ${text}`;
    imageCount += images;
    if (message['role'] === 'user') lastUserText = text;
    for (const call of Array.isArray(message['tool_calls']) ? message['tool_calls'].filter(isJson) : []) {
      const target = call['function'] as Json | undefined;
      callNames.set(String(call['id']), String(target?.['name'] ?? ''));
      promptText += ` ${String(target?.['arguments'] ?? '')}`;
    }
  }
  const last = messages.at(-1);
  const input: FakeTurnInput = { lastUserText, toolNames, promptText, imageCount };
  if (last?.['role'] === 'tool') {
    input.lastToolResult = {
      name: callNames.get(String(last['tool_call_id'])) ?? 'unknown',
      content: readContent(last['content']).text,
    };
  }
  return input;
}

function readContent(content: unknown): { text: string; images: number } {
  if (typeof content === 'string') return { text: content, images: 0 };
  if (!Array.isArray(content)) return { text: '', images: 0 };
  let text = '';
  let images = 0;
  for (const part of content.filter(isJson)) {
    if (part['type'] === 'text') text += String(part['text'] ?? '');
    if (part['type'] === 'image_url') images++;
  }
  return { text, images };
}

/** Stop sequences and token limits, applied as OpenAI applies them, to text answers. */
function limitTurn(turn: FakeTurnOutput, wire: Json): FakeTurnOutput & { finishReason: string } {
  if (turn.kind === 'tool-call') return { ...turn, finishReason: 'tool_calls' };
  let text = turn.text;
  let finishReason = 'stop';
  const stop =
    typeof wire['stop'] === 'string' ? [wire['stop']] : Array.isArray(wire['stop']) ? wire['stop'] : [];
  for (const sequence of stop) {
    const at = typeof sequence === 'string' && sequence !== '' ? text.indexOf(sequence) : -1;
    if (at !== -1) text = text.slice(0, at);
  }
  const limit = wire['max_completion_tokens'] ?? wire['max_tokens'];
  if (typeof limit === 'number' && countWords(text) > limit) {
    text = text.trim().split(/\s+/).slice(0, limit).join(' ');
    finishReason = 'length';
  }
  return { ...turn, text, outputTokens: countWords(text), finishReason };
}

interface Answer {
  id: string;
  model: string;
  created: number;
  turn: FakeTurnOutput & { finishReason: string };
  reasoning: string | undefined;
  choiceCount: number;
}

function usage(answer: Answer): Json {
  const reasoningTokens = answer.reasoning ? countWords(answer.reasoning) : 0;
  const completionTokens = (answer.turn.outputTokens + reasoningTokens) * answer.choiceCount;
  return {
    prompt_tokens: answer.turn.inputTokens,
    completion_tokens: completionTokens,
    total_tokens: answer.turn.inputTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: reasoningTokens,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function callId(answer: Answer): string {
  return `call_${answer.id.slice('chatcmpl-'.length)}`;
}

function completion(answer: Answer): Json {
  const { turn } = answer;
  const message: Json =
    turn.kind === 'text'
      ? { role: 'assistant', content: turn.text, refusal: null, annotations: [] }
      : {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: callId(answer),
              type: 'function',
              function: { name: turn.name, arguments: turn.arguments },
            },
          ],
          refusal: null,
          annotations: [],
        };
  if (answer.reasoning) message['reasoning_content'] = answer.reasoning;
  return {
    id: answer.id,
    object: 'chat.completion',
    created: answer.created,
    model: answer.model,
    choices: Array.from({ length: answer.choiceCount }, (_, index) => ({
      index,
      message,
      logprobs: null,
      finish_reason: turn.finishReason,
    })),
    usage: usage(answer),
    service_tier: 'default',
    system_fingerprint: 'fp_fake',
  };
}

/** The deltas of one choice, in OpenAI's order: role, reasoning, content or tool call, then finish. */
function deltas(answer: Answer): Array<{ delta: Json; finishReason: string | null }> {
  const { turn } = answer;
  const out: Array<{ delta: Json; finishReason: string | null }> = [
    {
      delta: { role: 'assistant', content: turn.kind === 'text' ? '' : null, refusal: null },
      finishReason: null,
    },
  ];
  for (const piece of streamPieces(answer.reasoning ?? '')) {
    out.push({ delta: { reasoning_content: piece }, finishReason: null });
  }
  if (turn.kind === 'text') {
    for (const piece of streamPieces(turn.text)) out.push({ delta: { content: piece }, finishReason: null });
  } else {
    out.push({
      delta: {
        tool_calls: [
          { index: 0, id: callId(answer), type: 'function', function: { name: turn.name, arguments: '' } },
        ],
      },
      finishReason: null,
    });
    for (const piece of streamPieces(turn.arguments)) {
      out.push({ delta: { tool_calls: [{ index: 0, function: { arguments: piece } }] }, finishReason: null });
    }
  }
  out.push({ delta: {}, finishReason: turn.finishReason });
  return out;
}

function sendStream(response: ServerResponse, answer: Answer, includeUsage: boolean, cut: boolean): void {
  const events: string[] = [];
  const frame = (choices: Json[], usageValue?: Json) => {
    const chunk: Json = {
      id: answer.id,
      object: 'chat.completion.chunk',
      created: answer.created,
      model: answer.model,
      service_tier: 'default',
      system_fingerprint: 'fp_fake',
      choices,
    };
    if (includeUsage) chunk['usage'] = usageValue ?? null;
    events.push(`data: ${JSON.stringify(chunk)}\n\n`);
  };
  for (const step of deltas(answer)) {
    for (let index = 0; index < answer.choiceCount; index++) {
      frame([{ index, delta: step.delta, logprobs: null, finish_reason: step.finishReason }]);
    }
  }
  if (includeUsage) frame([], usage(answer));
  events.push('data: [DONE]\n\n');

  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  if (cut) {
    cutAfter(response, events.slice(0, Math.floor(events.length / 2)).join(''));
    return;
  }
  // One write per event, as a real upstream flushes them, so readers see many small chunks.
  for (const event of events) response.write(event);
  response.end();
}

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
