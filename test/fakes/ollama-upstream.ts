/**
 * A fake Ollama speaking the native API: POST /api/chat (NDJSON stream as application/x-ndjson, or one
 * JSON answer with stream:false — Ollama streams by default), GET /api/tags, and
 * `{"error":"model \"x\" not found, try pulling it first"}` with 404 for models that were never pulled.
 * Faults are keyed on the bearer token; a request without one (local Ollama) is served normally.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fakeTurn, countWords, streamPieces, type FakeTurnOutput } from './fake-behaviour.js';
import { cutAfter, startFakeServer, type FakeUpstream } from './fake-server.js';

export const FAKE_OLLAMA_MODELS = ['llama3.2:latest', 'llava:latest', 'qwen3:8b'];

export interface FakeOllamaOptions {
  /** Models "pulled" on this host (names with tags); defaults to FAKE_OLLAMA_MODELS. */
  models?: string[];
}

interface WireMessage {
  role?: unknown;
  content?: unknown;
  images?: unknown;
  tool_name?: unknown;
}

interface WireChatBody {
  model?: unknown;
  messages?: unknown;
  tools?: unknown;
  stream?: unknown;
  options?: { num_predict?: unknown; stop?: unknown };
}

const faultMessages = {
  400: 'invalid options: unknown option "fault"',
  401: 'unauthorized',
  429: 'server busy, please try again.  maximum pending requests exceeded',
  500: 'llama runner process has terminated: exit status 2',
} as const;

function bearerToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(.+)$/i.exec(header) : null;
  return match?.[1];
}

function withTag(name: string): string {
  return name.includes(':') ? name : `${name}:latest`;
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(JSON.stringify(body));
}

function sendError(
  response: ServerResponse,
  status: number,
  message: string,
  headers: Record<string, string> = {},
) {
  sendJson(response, status, { error: message }, headers);
}

const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

export function startFakeOllama(options: FakeOllamaOptions = {}): Promise<FakeUpstream> {
  const models = options.models ?? FAKE_OLLAMA_MODELS;
  return startFakeServer(bearerToken, ({ request, response, fault }) => {
    if (fault.kind === 'status') {
      const headers: Record<string, string> = fault.status === 429 ? { 'retry-after': '30' } : {};
      return sendError(response, fault.status, faultMessages[fault.status], headers);
    }
    if (request.method === 'GET' && request.path === '/api/tags') {
      return sendJson(response, 200, { models: models.map(describeModel) });
    }
    if (request.method === 'POST' && request.path === '/api/chat') {
      return chat(response, request.body, models, fault.kind === 'cut');
    }
    response.writeHead(404, { 'content-type': 'text/plain' });
    response.end('404 page not found');
  });
}

function describeModel(name: string) {
  return {
    name,
    model: name,
    modified_at: '2025-01-01T00:00:00Z',
    size: 2019393189,
    digest: 'a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72',
    details: { format: 'gguf', family: 'llama', parameter_size: '3.2B', quantization_level: 'Q4_K_M' },
  };
}

function chat(response: ServerResponse, raw: unknown, models: string[], cut: boolean): void {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return sendError(response, 400, 'invalid request body');
  }
  const body = raw as WireChatBody;
  if (typeof body.model !== 'string' || body.model === '')
    return sendError(response, 400, 'model is required');
  if (!models.includes(withTag(body.model))) {
    return sendError(response, 404, `model "${body.model}" not found, try pulling it first`);
  }
  if (!Array.isArray(body.messages)) return sendError(response, 400, 'messages must be an array');
  const messages = body.messages as WireMessage[];
  let imageCount = 0;
  for (const message of messages) {
    if (message.images === undefined) continue;
    if (!Array.isArray(message.images))
      return sendError(response, 400, 'images must be an array of base64 strings');
    for (const image of message.images) {
      if (typeof image !== 'string' || !base64Pattern.test(image)) {
        return sendError(response, 400, 'illegal base64 data at input byte 4');
      }
      imageCount++;
    }
  }
  const text = (message: WireMessage | undefined) =>
    typeof message?.content === 'string' ? message.content : '';
  const lastUser = [...messages].reverse().find((message) => message.role === 'user');
  const last = messages.at(-1);
  const toolNames = Array.isArray(body.tools)
    ? (body.tools as { function?: { name?: unknown } }[])
        .map((tool) => tool.function?.name)
        .filter((name): name is string => typeof name === 'string')
    : [];
  const turn = fakeTurn({
    lastUserText: text(lastUser),
    toolNames,
    lastToolResult:
      last?.role === 'tool' ? { name: String(last.tool_name ?? ''), content: text(last) } : undefined,
    promptText: messages.map(text).join(' '),
    imageCount,
  });
  const answer = applyLimits(turn, body.options);
  const stream = body.stream !== false;
  const common = { model: withTag(body.model), created_at: new Date().toISOString() };
  const final = {
    ...common,
    done_reason: answer.doneReason,
    done: true,
    total_duration: 4_883_583_458,
    load_duration: 1_334_875,
    prompt_eval_count: turn.inputTokens,
    prompt_eval_duration: 342_546_000,
    eval_count: answer.outputTokens,
    eval_duration: 4_535_599_000,
  };
  const toolCalls =
    turn.kind === 'tool-call'
      ? [{ function: { name: turn.name, arguments: JSON.parse(turn.arguments) } }]
      : undefined;

  if (!stream) {
    const whole = JSON.stringify({
      ...final,
      message: { role: 'assistant', content: answer.text, ...(toolCalls ? { tool_calls: toolCalls } : {}) },
    });
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    if (cut) return cutAfter(response, whole.slice(0, Math.floor(whole.length / 2)));
    response.end(whole);
    return;
  }

  const lines: Record<string, unknown>[] = streamPieces(answer.text).map((piece) => ({
    ...common,
    message: { role: 'assistant', content: piece },
    done: false,
  }));
  if (toolCalls)
    lines.push({
      ...common,
      message: { role: 'assistant', content: '', tool_calls: toolCalls },
      done: false,
    });
  lines.push({ ...final, message: { role: 'assistant', content: '' } });
  const framed = lines.map((line) => `${JSON.stringify(line)}\n`);
  response.writeHead(200, { 'content-type': 'application/x-ndjson' });
  if (cut) return cutAfter(response, framed.slice(0, Math.max(1, Math.floor(framed.length / 2))).join(''));
  for (const line of framed) response.write(line);
  response.end();
}

/** Honour num_predict (counted in words, like the fake's token counts) and stop strings. */
function applyLimits(
  turn: FakeTurnOutput,
  options: WireChatBody['options'],
): { text: string; outputTokens: number; doneReason: 'stop' | 'length' } {
  if (turn.kind === 'tool-call') return { text: '', outputTokens: turn.outputTokens, doneReason: 'stop' };
  let text = turn.text;
  const stops = Array.isArray(options?.stop) ? options.stop.filter((stop) => typeof stop === 'string') : [];
  for (const stop of stops) {
    const at = text.indexOf(stop);
    if (stop !== '' && at !== -1) text = text.slice(0, at);
  }
  const limit = typeof options?.num_predict === 'number' ? options.num_predict : undefined;
  if (limit !== undefined && limit >= 0 && countWords(text) > limit) {
    text = text.split(/\s+/).slice(0, limit).join(' ');
    return { text, outputTokens: limit, doneReason: 'length' };
  }
  return { text, outputTokens: countWords(text), doneReason: 'stop' };
}
