/**
 * A fake Generative Language API (v1beta) that answers like the real one:
 *   POST /v1beta/models/{model}:generateContent
 *   POST /v1beta/models/{model}:streamGenerateContent?alt=sse   (data: <json>\r\n\r\n chunks)
 *   POST /v1beta/models/{model}:streamGenerateContent           (one JSON array, Google's default)
 *   GET  /v1beta/models[?pageSize&pageToken], GET /v1beta/models/{model}
 * The key comes from `x-goog-api-key`, `?key=` or `Authorization: Bearer`. Errors use Google's envelope:
 * a bad key is 400 INVALID_ARGUMENT with ErrorInfo API_KEY_INVALID, as Google really answers.
 * Any model name is served except names starting with `missing` (404 NOT_FOUND).
 * It is strict about unknown top-level fields, as the real API is, so adapter mistakes surface here.
 * Images, Imagen, Veo, TTS and transcription live in gemini-media-upstream.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHash } from 'node:crypto';
import { countWords, fakeTurn, streamPieces, type FakeTurnOutput } from './fake-behaviour.js';
import { cutAfter, startFakeServer, type FakeContext, type FakeUpstream } from './fake-server.js';
import { createGeminiMediaState, handleFakeStorage, handleGeminiMedia } from './gemini-media-upstream.js';

export const FAKE_GEMINI_MODELS = [
  'gemini-2.5-flash',
  'gemini-2.5-pro',
  'gemini-2.0-flash',
  'gemini-3-pro-preview',
  'text-embedding-004',
];

/** The real API pages at up to 1000; the fake pages at 2 so pagination is always exercised. */
const MAXIMUM_PAGE_SIZE = 2;

export const TOP_LEVEL_FIELDS = new Set([
  'contents',
  'systemInstruction',
  'system_instruction',
  'tools',
  'toolConfig',
  'tool_config',
  'generationConfig',
  'generation_config',
  'safetySettings',
  'safety_settings',
  'cachedContent',
  'cached_content',
]);

type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads either spelling, as Google's proto JSON parser does. */
export function field(object: Json, camel: string): unknown {
  if (camel in object) return object[camel];
  return object[camel.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`)];
}

export function sendError(
  response: ServerResponse,
  code: number,
  status: string,
  message: string,
  details?: Json[],
  headers = {},
) {
  const error: Json = { code, message, status };
  if (details) error.details = details;
  response.writeHead(code, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  response.end(JSON.stringify({ error }, null, 2));
}

function sendFault(response: ServerResponse, status: 429 | 500 | 401 | 400): void {
  if (status === 429) {
    sendError(
      response,
      429,
      'RESOURCE_EXHAUSTED',
      'You exceeded your current quota, please check your plan and billing details.',
      [
        {
          '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
          violations: [
            {
              quotaMetric: 'generativelanguage.googleapis.com/generate_content_requests',
              quotaId: 'GenerateRequestsPerMinutePerProjectPerModel',
            },
          ],
        },
        { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '30s' },
      ],
      { 'retry-after': '30' },
    );
  } else if (status === 500) {
    sendError(
      response,
      500,
      'INTERNAL',
      'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
    );
  } else if (status === 401) {
    sendError(response, 400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.', [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'API_KEY_INVALID',
        domain: 'googleapis.com',
        metadata: { service: 'generativelanguage.googleapis.com' },
      },
      {
        '@type': 'type.googleapis.com/google.rpc.LocalizedMessage',
        locale: 'en-US',
        message: 'API key not valid. Please pass a valid API key.',
      },
    ]);
  } else {
    sendError(response, 400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.');
  }
}

function keyOf(request: IncomingMessage, url: URL): string | undefined {
  const header = request.headers['x-goog-api-key'];
  if (typeof header === 'string') return header;
  const query = url.searchParams.get('key');
  if (query) return query;
  const authorization = request.headers.authorization;
  return authorization?.startsWith('Bearer ') ? authorization.slice(7) : undefined;
}

// ---------------------------------------------------------------------------------------------------
// Reading the request
// ---------------------------------------------------------------------------------------------------

interface ParsedRequest {
  turn: FakeTurnOutput;
  maxOutputTokens?: number;
  stopSequences: string[];
}

class BadRequest extends Error {}

/** The same unwrap the gateway applies, so every fake reports a tool result with the same text. */
function toolResultText(response: unknown): string {
  if (!isRecord(response)) return '';
  const keys = Object.keys(response);
  if (keys.length === 1) {
    const value = response[keys[0]!];
    if (['result', 'output', 'content', 'error'].includes(keys[0]!) && typeof value === 'string')
      return value;
    if (keys[0] === 'result') return JSON.stringify(value);
  }
  return JSON.stringify(response);
}

function readRequest(body: unknown): ParsedRequest {
  if (!isRecord(body)) throw new BadRequest('Invalid JSON payload received.');
  for (const key of Object.keys(body)) {
    if (!TOP_LEVEL_FIELDS.has(key))
      throw new BadRequest(`Invalid JSON payload received. Unknown name "${key}": Cannot find field.`);
  }
  const contents = field(body, 'contents');
  if (!Array.isArray(contents) || contents.length === 0) {
    throw new BadRequest('* GenerateContentRequest.contents: contents is not specified\n');
  }
  const texts: string[] = [];
  let lastUserText = '';
  let imageCount = 0;
  let lastToolResult: { name: string; content: string } | undefined;
  contents.forEach((content, index) => {
    if (!isRecord(content) || !Array.isArray(content.parts) || content.parts.length === 0) {
      throw new BadRequest(
        `* GenerateContentRequest.contents[${index}].parts: contents.parts must not be empty.\n`,
      );
    }
    const role = content.role ?? 'user';
    if (role !== 'user' && role !== 'model' && role !== 'function') {
      throw new BadRequest(`Please use a valid role: user, model.`);
    }
    lastToolResult = undefined;
    const userTexts: string[] = [];
    for (const part of content.parts as unknown[]) {
      if (!isRecord(part))
        throw new BadRequest(`* GenerateContentRequest.contents[${index}].parts: invalid part`);
      const functionResponse = field(part, 'functionResponse');
      const inline = field(part, 'inlineData');
      const file = field(part, 'fileData');
      if (typeof part.text === 'string' && part.thought !== true) {
        texts.push(part.text);
        if (role !== 'model') userTexts.push(part.text);
      } else if (isRecord(functionResponse)) {
        lastToolResult = {
          name: String(functionResponse.name),
          content: toolResultText(functionResponse.response),
        };
      } else if (isRecord(inline) || isRecord(file)) {
        const mimeType = String(field((inline ?? file) as Json, 'mimeType') ?? '');
        if (isRecord(file) && !mimeType) throw new BadRequest('fileData.mimeType is required.');
        if (mimeType.startsWith('image/')) imageCount++;
      }
    }
    if (role !== 'model' && userTexts.length > 0) lastUserText = userTexts.join('\n');
  });
  const system = field(body, 'systemInstruction');
  if (isRecord(system) && Array.isArray(system.parts)) {
    for (const part of system.parts as unknown[])
      if (isRecord(part) && typeof part.text === 'string') texts.push(part.text);
  }
  const toolNames: string[] = [];
  const tools = field(body, 'tools');
  for (const tool of Array.isArray(tools) ? tools : []) {
    const declarations = isRecord(tool) ? field(tool, 'functionDeclarations') : undefined;
    for (const declaration of Array.isArray(declarations) ? declarations : []) {
      if (!isRecord(declaration)) continue;
      if ('parameters' in declaration && field(declaration, 'parametersJsonSchema') !== undefined) {
        throw new BadRequest('parameters and parameters_json_schema are mutually exclusive.');
      }
      toolNames.push(String(declaration.name));
    }
  }
  const config = field(body, 'generationConfig');
  const maxOutputTokens = isRecord(config) ? field(config, 'maxOutputTokens') : undefined;
  const stopSequences = isRecord(config) ? field(config, 'stopSequences') : undefined;
  const turn = fakeTurn({
    lastUserText,
    toolNames,
    ...(lastToolResult ? { lastToolResult } : {}),
    promptText: texts.join(' '),
    imageCount,
  });
  return {
    turn,
    ...(typeof maxOutputTokens === 'number' ? { maxOutputTokens } : {}),
    stopSequences: Array.isArray(stopSequences) ? stopSequences.map(String) : [],
  };
}

// ---------------------------------------------------------------------------------------------------
// Answering
// ---------------------------------------------------------------------------------------------------

/** Applies stop sequences and maxOutputTokens (counted in words) to a text answer, as the model would. */
function shapeText(text: string, parsed: ParsedRequest): { text: string; finishReason: string } {
  let shaped = text;
  for (const stop of parsed.stopSequences) {
    const at = shaped.indexOf(stop);
    if (stop && at !== -1) shaped = shaped.slice(0, at);
  }
  if (parsed.maxOutputTokens !== undefined && countWords(shaped) > parsed.maxOutputTokens) {
    return {
      text: shaped
        .split(/(?<=\S)\s+/)
        .slice(0, parsed.maxOutputTokens)
        .join(' '),
      finishReason: 'MAX_TOKENS',
    };
  }
  return { text: shaped, finishReason: 'STOP' };
}

function usage(turn: FakeTurnOutput, outputTokens: number) {
  return {
    promptTokenCount: turn.inputTokens,
    candidatesTokenCount: outputTokens,
    totalTokenCount: turn.inputTokens + outputTokens,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: turn.inputTokens }],
  };
}

/** The chunks of an answer; a non-streaming answer is their merge. */
function answerChunks(parsed: ParsedRequest, model: string, body: unknown): Json[] {
  // Derived from the request so that the same call gives the same bytes (relay tests compare them).
  const responseId = createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 22);
  const { turn } = parsed;
  const envelope = (parts: Json[], extra: Json, usageMetadata: Json): Json => ({
    candidates: [{ content: { parts, role: 'model' }, ...extra, index: 0 }],
    usageMetadata,
    modelVersion: model,
    responseId,
  });
  if (turn.kind === 'tool-call') {
    const args = JSON.parse(turn.arguments) as Json;
    return [
      envelope(
        [{ functionCall: { name: turn.name, args } }],
        { finishReason: 'STOP' },
        usage(turn, turn.outputTokens),
      ),
    ];
  }
  const { text, finishReason } = shapeText(turn.text, parsed);
  const pieces = streamPieces(text);
  if (pieces.length === 0) pieces.push('');
  const outputTokens = countWords(text);
  // Like Google, every chunk carries usage; only the last one counts the whole answer.
  return pieces.map((piece, index) =>
    index === pieces.length - 1
      ? envelope([{ text: piece }], { finishReason }, usage(turn, outputTokens))
      : envelope(
          [{ text: piece }],
          {},
          { promptTokenCount: turn.inputTokens, totalTokenCount: turn.inputTokens },
        ),
  );
}

function merge(chunks: Json[]): Json {
  const last = chunks.at(-1)!;
  const candidates = chunks.map((chunk) => (chunk.candidates as Json[])[0]!);
  const parts = candidates.flatMap((candidate) => (candidate.content as { parts: Json[] }).parts);
  const text = parts
    .filter((part) => typeof part.text === 'string')
    .map((part) => part.text as string)
    .join('');
  const calls = parts.filter((part) => part.functionCall);
  const lastCandidate = (last.candidates as Json[])[0]!;
  return {
    ...last,
    candidates: [
      { ...lastCandidate, content: { parts: calls.length > 0 ? calls : [{ text }], role: 'model' } },
    ],
  };
}

function handleGenerate(context: FakeContext, model: string, method: string): void {
  const { request, response, fault } = context;
  let parsed: ParsedRequest;
  try {
    parsed = readRequest(request.body);
  } catch (error) {
    if (error instanceof BadRequest) return sendError(response, 400, 'INVALID_ARGUMENT', error.message);
    throw error;
  }
  const chunks = answerChunks(parsed, model, request.body);
  const cut = fault.kind === 'cut';
  if (method === 'generateContent') {
    const text = JSON.stringify(merge(chunks), null, 2);
    response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
    if (cut) return cutAfter(response, text.slice(0, Math.floor(text.length / 2)));
    response.end(text);
    return;
  }
  const sent = cut ? chunks.slice(0, Math.floor(chunks.length / 2)) : chunks;
  if (request.query.get('alt') === 'sse') {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const text = sent.map((chunk) => `data: ${JSON.stringify(chunk)}\r\n\r\n`).join('');
    if (cut) return cutAfter(response, text);
    for (const chunk of sent) response.write(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
    response.end();
    return;
  }
  // Google's default stream form: one JSON array written element by element.
  response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
  const elements = sent.map((chunk) => JSON.stringify(chunk, null, 2));
  const text = `[${elements.join('\n,\r\n')}`;
  if (cut) return cutAfter(response, text);
  response.end(`${text}]`);
}

function handleListModels(context: FakeContext): void {
  const { request, response } = context;
  const requested = Number(request.query.get('pageSize') ?? '50');
  const pageSize = Math.max(1, Math.min(Number.isFinite(requested) ? requested : 50, MAXIMUM_PAGE_SIZE));
  const token = request.query.get('pageToken');
  const offset = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(offset) || offset < 0)
    return sendError(response, 400, 'INVALID_ARGUMENT', 'Invalid page token.');
  const page = FAKE_GEMINI_MODELS.slice(offset, offset + pageSize);
  const body: Json = { models: page.map(modelResource) };
  if (offset + pageSize < FAKE_GEMINI_MODELS.length) {
    body.nextPageToken = Buffer.from(String(offset + pageSize), 'utf8').toString('base64url');
  }
  response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
  response.end(JSON.stringify(body, null, 2));
}

function modelResource(name: string): Json {
  const embedding = name.includes('embedding');
  return {
    name: `models/${name}`,
    version: '001',
    displayName: name,
    inputTokenLimit: 1048576,
    outputTokenLimit: 8192,
    supportedGenerationMethods: embedding ? ['embedContent'] : ['generateContent', 'countTokens'],
  };
}

export function startFakeGemini(): Promise<FakeUpstream> {
  const media = createGeminiMediaState();
  return startFakeServer(keyOf, async (context) => {
    const { request, response, fault } = context;
    if (await handleFakeStorage(context, media)) return;
    const key =
      request.headers['x-goog-api-key'] ?? request.query.get('key') ?? request.headers.authorization;
    if (!key) {
      return sendError(
        response,
        403,
        'PERMISSION_DENIED',
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      );
    }
    if (fault.kind === 'status') return sendFault(response, fault.status);
    if (await handleGeminiMedia(context, media)) return;

    const generate = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(
      request.path,
    );
    if (generate && request.method === 'POST') {
      const model = decodeURIComponent(generate[1]!);
      // Any model name works (tests across the gateway use their own), except ones asking for a 404.
      if (model.startsWith('missing')) {
        return sendError(
          response,
          404,
          'NOT_FOUND',
          `models/${model} is not found for API version v1beta, or is not supported for generateContent.`,
        );
      }
      return handleGenerate(context, model, generate[2]!);
    }
    if (request.path === '/v1beta/models' && request.method === 'GET') return handleListModels(context);
    const single = /^\/v1beta\/models\/([^/:]+)$/.exec(request.path);
    if (single && request.method === 'GET') {
      const model = decodeURIComponent(single[1]!);
      if (!FAKE_GEMINI_MODELS.includes(model))
        return sendError(response, 404, 'NOT_FOUND', `models/${model} is not found.`);
      response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
      response.end(JSON.stringify(modelResource(model), null, 2));
      return;
    }
    sendError(response, 404, 'NOT_FOUND', `The requested URL ${request.path} was not found on this server.`);
  });
}
