/* eslint-disable @typescript-eslint/no-explicit-any -- job bodies are inspected structurally */
/**
 * POST /v1/media/{operation} end to end: inputs from uploads, other jobs' outputs and URLs (through the SSRF
 * guard), real FFmpeg, outputs checked with ffprobe and kept in the library, HLS playable from /v1/files.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminKey, startHarness, type Harness } from '../../support/gateway-harness.js';

let harness: Harness;
let clipId: string;

beforeAll(async () => {
  harness = await startHarness({ providers: [] });
  const directory = mkdtempSync(join(tmpdir(), 'atelier-media-it-'));
  const clip = join(directory, 'clip.mp4');
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc=size=160x120:rate=25:duration=2',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:duration=2',
    '-c:v',
    'libx264',
    '-pix_fmt',
    'yuv420p',
    '-c:a',
    'aac',
    '-shortest',
    clip,
  ]);
  const client = new OpenAI({ apiKey: adminKey, baseURL: `${harness.url}/v1` });
  clipId = (
    await client.files.create({
      file: await toFile(readFileSync(clip), 'clip.mp4', { type: 'video/mp4' }),
      purpose: 'user_data',
    })
  ).id;
});
afterAll(async () => harness?.close());

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${harness.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

async function finished(id: string) {
  await harness.application.jobs.service.waitForEnd(id, AbortSignal.timeout(60_000));
  const response = await fetch(`${harness.url}/v1/jobs/${id}`, {
    headers: { authorization: `Bearer ${adminKey}` },
  });
  return (await response.json()) as Record<string, any>;
}

async function download(url: string): Promise<Buffer> {
  const response = await fetch(`${harness.url}${url}`, { headers: { authorization: `Bearer ${adminKey}` } });
  return Buffer.from(await response.arrayBuffer());
}

function probe(buffer: Buffer) {
  const path = join(mkdtempSync(join(tmpdir(), 'atelier-probe-')), 'file');
  execFileSync('sh', ['-c', 'cat > "$0"', path], { input: buffer });
  return JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', path], {
      encoding: 'utf8',
    }),
  ) as {
    streams: Array<{ codec_type: string; codec_name: string; width?: number }>;
    format: { duration: string };
  };
}

describe('media operations as jobs', () => {
  it('probes an upload', async () => {
    const created = await post('/v1/media/probe', { input: { file_id: clipId } });
    expect(created.status).toBe(202);
    expect(created.body).toMatchObject({ object: 'job', type: 'media.probe', status: 'queued' });
    const job = await finished(created.body.id);
    expect(job.status).toBe('succeeded');
    expect(JSON.stringify(job.output.result)).toMatch(/h264/);
  });

  it("transcodes to webm, then chains a trim on the first job's output", async () => {
    const transcode = await finished(
      (
        await post('/v1/media/transcode', {
          input: { file_id: clipId },
          options: { format: 'webm', video_codec: 'vp9', width: 96, height: 72 },
        })
      ).body.id,
    );
    expect(transcode.status).toBe('succeeded');
    const webm = probe(await download(transcode.output.files[0].url));
    expect(webm.streams.find((stream) => stream.codec_type === 'video')).toMatchObject({
      codec_name: 'vp9',
      width: 96,
    });
    const trim = await finished(
      (await post('/v1/media/trim', { input: { job_id: transcode.id }, options: { start: 0.5, end: 1.5 } }))
        .body.id,
    );
    expect(trim.status).toBe('succeeded');
    expect(
      Math.abs(Number(probe(await download(trim.output.files[0].url)).format.duration) - 1),
    ).toBeLessThan(0.1);
  });

  it('makes a playable HLS set whose playlists point at library files', async () => {
    const created = await post('/v1/media/hls', {
      input: { file_id: clipId },
      options: {
        renditions: [
          { height: 72, video_bitrate: '200k' },
          { height: 120, video_bitrate: '400k' },
        ],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(202);
    const job = await finished(created.body.id);
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    const playlists = job.output.files.filter((file: { role: string }) => file.role === 'playlist');
    expect(playlists.length).toBeGreaterThanOrEqual(3);
    for (const playlist of playlists) {
      const text = (await download(playlist.url)).toString();
      expect(text).toMatch(/^#EXTM3U/);
      for (const line of text.split('\n').filter((entry) => entry && !entry.startsWith('#')))
        expect(line).toMatch(/^\/v1\/files\/file-\w+\/content$/);
    }
  });

  it('refuses bad options, unknown operations and private URLs with a 4xx before any job exists', async () => {
    const badOption = await post('/v1/media/transcode', {
      input: { file_id: clipId },
      options: { format: 'exe' },
    });
    expect(badOption.status).toBe(400);
    expect(badOption.body.error.message).toMatch(/options\.format/);
    expect((await post('/v1/media/explode', { input: { file_id: clipId } })).status).toBe(404);
    const privateUrl = await post('/v1/media/probe', {
      input: { url: 'http://169.254.169.254/latest/meta-data' },
    });
    expect(privateUrl.status).toBe(400);
    const both = await post('/v1/media/probe', { input: { file_id: clipId }, inputs: [{ file_id: clipId }] });
    expect(both.status).toBe(400);
  });

  it('remembers probed facts on the input file, and on primary outputs, for later jobs', async () => {
    const file = (await (
      await fetch(`${harness.url}/v1/files/${clipId}`, { headers: { authorization: `Bearer ${adminKey}` } })
    ).json()) as Record<string, any>;
    expect(file.metadata.media_facts).toMatchObject({ video: { width: 160, height: 120 } });
    const job = await finished(
      (await post('/v1/media/extract-audio', { input: { file_id: clipId }, options: {} })).body.id,
    );
    expect(job.status, JSON.stringify(job.error)).toBe('succeeded');
    const output = (await (
      await fetch(`${harness.url}/v1/files/${job.output.files[0].id}`, {
        headers: { authorization: `Bearer ${adminKey}` },
      })
    ).json()) as Record<string, any>;
    expect(output.metadata.media_facts).toBeDefined();
  });

  it('returns the same job for the same Idempotency-Key', async () => {
    const first = await post(
      '/v1/media/probe',
      { input: { file_id: clipId } },
      { 'idempotency-key': 'probe-once' },
    );
    const second = await post(
      '/v1/media/probe',
      { input: { file_id: clipId } },
      { 'idempotency-key': 'probe-once' },
    );
    expect(second.status).toBe(200);
    expect(second.body.id).toBe(first.body.id);
  });

  it('reports FFmpeg in /health/detailed and GET /v1/media', async () => {
    const detailed = (await (await fetch(`${harness.url}/health/detailed`)).json()) as Record<string, any>;
    expect(detailed.media).toMatchObject({ available: true });
    const list = (await (
      await fetch(`${harness.url}/v1/media`, { headers: { authorization: `Bearer ${adminKey}` } })
    ).json()) as Record<string, any>;
    expect(list.data.map((operation: { id: string }) => operation.id)).toContain('compose');
  });
});
