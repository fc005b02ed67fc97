#!/usr/bin/env node
/**
 * A slow fake of OpenAI's Videos API, in its own process, for the jobs benchmark:
 *   POST /v1/videos (multipart or JSON)  → {id, object: 'video', status: 'queued', …}
 *   GET  /v1/videos/{id}                 → in_progress with `progress` for --seconds, then completed
 *   GET  /v1/videos/{id}/content         → a tiny MP4 made once with ffmpeg at start
 *   DELETE /v1/videos/{id}               → deleted
 * It records, per video, when each progress value and the completed status were first served, so the
 * benchmark can measure how long Atelier takes to turn what it saw into an event a follower receives:
 *   GET /bench/videos → [{id, prompt, created, progress: {percent: firstServedMs}, completed}]
 *   GET /bench/stats  → counters (creates, polls, downloads)
 * Prints {"port":N} on stdout once listening.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { makeTestClip } from '../lib/test-clip.mjs';

const { values: options } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    seconds: { type: 'string', default: '30' },
  },
});
const generationMs = Number(options.seconds) * 1000;

function makeTinyMp4() {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'fake-videos-'));
  const file = makeTestClip(path.join(directory, 'clip.mp4'), {
    size: '64x36',
    rate: 10,
    seconds: 1,
    faststart: true,
  });
  const bytes = readFileSync(file);
  rmSync(directory, { recursive: true, force: true });
  return bytes;
}

const clip = makeTinyMp4();
const videos = new Map();
const counters = { creates: 0, polls: 0, downloads: 0, deletes: 0, notFound: 0 };
let sequence = 0;

function promptOf(contentType, body) {
  if (contentType.startsWith('application/json')) return JSON.parse(body.toString('utf8')).prompt ?? '';
  // multipart/form-data: the value of the part named "prompt".
  const text = body.toString('latin1');
  const match = /name="prompt"\r\n(?:[^\r\n]+\r\n)*\r\n([\s\S]*?)\r\n--/.exec(text);
  return match ? Buffer.from(match[1], 'latin1').toString('utf8') : '';
}

function view(video, now) {
  const elapsed = now - video.created;
  const done = elapsed >= generationMs;
  return {
    id: video.id,
    object: 'video',
    model: video.model,
    created_at: Math.floor(video.created / 1000),
    status: done ? 'completed' : elapsed < 0 ? 'queued' : 'in_progress',
    progress: done ? 100 : Math.floor((elapsed / generationMs) * 100),
    seconds: '4',
    size: '64x36',
  };
}

function send(response, status, body) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

const server = http.createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const now = Date.now();
    const url = new URL(request.url, 'http://fake');
    const parts = url.pathname.split('/').filter(Boolean); // v1 videos {id} content
    if (request.method === 'POST' && url.pathname === '/v1/videos') {
      counters.creates++;
      const body = Buffer.concat(chunks);
      const id = `video_bench_${++sequence}`;
      const prompt = promptOf(request.headers['content-type'] ?? '', body);
      const video = { id, prompt, model: 'sora-2', created: now, progress: {}, completed: null };
      videos.set(id, video);
      return send(response, 200, { ...view(video, now), status: 'queued', progress: 0 });
    }
    if (parts[0] === 'v1' && parts[1] === 'videos' && parts[2]) {
      const video = videos.get(parts[2]);
      if (!video) {
        counters.notFound++;
        return send(response, 404, {
          error: {
            message: `Video ${parts[2]} not found`,
            type: 'invalid_request_error',
            code: null,
            param: null,
          },
        });
      }
      if (request.method === 'GET' && parts.length === 3) {
        counters.polls++;
        const body = view(video, now);
        if (body.status === 'completed') video.completed ??= now;
        else video.progress[body.progress] ??= now;
        return send(response, 200, body);
      }
      if (request.method === 'GET' && parts[3] === 'content') {
        counters.downloads++;
        response.writeHead(200, { 'content-type': 'video/mp4', 'content-length': clip.length });
        return response.end(clip);
      }
      if (request.method === 'DELETE') {
        counters.deletes++;
        return send(response, 200, { id: video.id, object: 'video.deleted', deleted: true });
      }
    }
    if (url.pathname === '/bench/videos') return send(response, 200, [...videos.values()]);
    if (url.pathname === '/bench/stats') return send(response, 200, { ...counters, videos: videos.size });
    send(response, 404, { error: { message: 'not found' } });
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(options.port), '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ port: server.address().port })}\n`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => process.exit(0));
