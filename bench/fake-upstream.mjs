#!/usr/bin/env node
/**
 * A minimal but real OpenAI-compatible upstream for benchmarks: plain Node, no dependencies, its own process.
 *
 *   POST /v1/chat/completions            → a fixed small chat.completion JSON with usage
 *   POST /v1/chat/completions stream:true → SSE: 10 chat.completion.chunk events (last one with usage), data: [DONE]
 *   GET  /v1/models                      → one model
 *
 * Usage: node bench/fake-upstream.mjs [--port 0] [--host 127.0.0.1] [--delay-ms 0]
 * Prints one line `{"port":N}` on stdout once listening. Answers are written without delay unless --delay-ms
 * is given (applied once before the answer, and between stream chunks).
 */
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'delay-ms': { type: 'string', default: '0' },
  },
});
const delayMs = Number(values['delay-ms']);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const created = 1_700_000_000;
const pieces = ['Hello', '!', ' How', ' can', ' I', ' help', ' you', ' today', '?'];
let counter = 0;

function completion(id, model) {
  return JSON.stringify({
    id,
    object: 'chat.completion',
    created,
    model,
    system_fingerprint: 'fp_bench',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: pieces.join(''), refusal: null },
        logprobs: null,
        finish_reason: 'stop',
      },
    ],
    usage: { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 },
  });
}

function chunk(id, model, delta, finishReason, usage) {
  const body = {
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    system_fingerprint: 'fp_bench',
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
  if (usage !== undefined) body.usage = usage;
  return `data: ${JSON.stringify(body)}\n\n`;
}

function sendError(response, status, message) {
  const body = JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code: null } });
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

async function chatCompletions(request, response) {
  const buffers = [];
  for await (const buffer of request) buffers.push(buffer);
  let input;
  try {
    input = JSON.parse(Buffer.concat(buffers).toString('utf8'));
  } catch {
    return sendError(response, 400, 'We could not parse the JSON body of your request.');
  }
  const model = typeof input.model === 'string' ? input.model : 'gpt-bench';
  const id = `chatcmpl-bench${++counter}`;
  if (delayMs > 0) await sleep(delayMs);

  if (input.stream !== true) {
    const body = completion(id, model);
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
    return;
  }

  const includeUsage = input.stream_options?.include_usage === true;
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
  });
  // 10 chunks: role, 8 content pieces, then the last piece with finish_reason (and usage when asked).
  response.write(chunk(id, model, { role: 'assistant', content: '', refusal: null }, null));
  for (let index = 0; index < pieces.length - 1; index++) {
    if (delayMs > 0) await sleep(delayMs);
    response.write(chunk(id, model, { content: pieces[index] }, null));
  }
  const usage = { prompt_tokens: 12, completion_tokens: 9, total_tokens: 21 };
  response.write(chunk(id, model, { content: pieces.at(-1) }, 'stop', includeUsage ? usage : undefined));
  response.end('data: [DONE]\n\n');
}

const server = http.createServer({ keepAliveTimeout: 65_000 }, (request, response) => {
  const path = request.url.split('?')[0];
  if (request.method === 'POST' && path === '/v1/chat/completions') {
    chatCompletions(request, response).catch((error) => {
      if (!response.headersSent) sendError(response, 500, String(error));
      else response.destroy();
    });
    return;
  }
  if (request.method === 'GET' && path === '/v1/models') {
    const body = JSON.stringify({
      object: 'list',
      data: [{ id: 'gpt-bench', object: 'model', created, owned_by: 'bench' }],
    });
    response.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    });
    response.end(body);
    return;
  }
  request.resume();
  sendError(response, 404, `Invalid URL (${request.method} ${path})`);
});
server.headersTimeout = 66_000;
server.maxRequestsPerSocket = 0;

server.listen(Number(values.port), values.host, () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
