import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { Agent } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AtelierError,
  InvalidRequestError,
  NotFoundError,
  ProviderError,
} from '../../../../src/errors/index.js';
import { createDraftProvider } from '../../../../src/providers/draft/index.js';
import { escapeXml, wrapText } from '../../../../src/providers/draft/draft-text.js';
import type { MediaCallOptions } from '../../../../src/providers/media-spec.js';
import type { Provider } from '../../../../src/providers/spec.js';

const dispatcher = new Agent();
afterAll(() => dispatcher.close());

function build(dataDir: string, clock: { now: number }, options: Record<string, unknown> = {}): Provider {
  return createDraftProvider(
    { id: 'draft', baseURL: 'draft://local', dataDir, dispatcher, timeoutMs: 1_000, options },
    { now: () => clock.now },
  );
}

function call(): MediaCallOptions {
  return { credential: { id: 'none', apiKey: '' }, signal: new AbortController().signal };
}

async function failure<T extends Error>(
  promise: Promise<unknown>,
  type: new (...args: never[]) => T,
): Promise<T> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(type);
  return error as T;
}

async function bytes(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function probe(data: Buffer, directory: string) {
  const path = join(directory, `probe-${Math.random().toString(36).slice(2)}.mp4`);
  writeFileSync(path, data);
  const result = spawnSync(
    'ffprobe',
    ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', path],
    { encoding: 'utf8' },
  );
  return JSON.parse(result.stdout) as {
    streams: Array<{
      codec_type: string;
      codec_name: string;
      width: number;
      height: number;
      pix_fmt: string;
      nb_frames: string;
    }>;
    format: { duration: string; format_name: string };
  };
}

const directory = () => mkdtempSync(join(tmpdir(), 'draft-provider-'));

describe('draft images', () => {
  const provider = build(directory(), { now: 0 });

  it('describes itself', () => {
    expect(provider.type).toBe('draft');
    expect(provider.specificationVersion).toBe('v1');
    expect(provider.chat).toBeUndefined();
    expect(provider.video!.pollIntervalMs).toBeLessThanOrEqual(200);
  });

  it('renders cards of the requested size in the requested format, marked as drafts', async () => {
    const result = await provider.image!.generate(
      {
        model: 'draft',
        prompt: 'a fox in the snow',
        size: { width: 320, height: 200 },
        outputFormat: 'webp',
      },
      call(),
    );
    expect(result.images).toHaveLength(1);
    expect(result.images[0]!.mediaType).toBe('image/webp');
    const metadata = await sharp(result.images[0]!.data).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual(['webp', 320, 200]);
    expect(result.metadata).toMatchObject({ draft: true, seed: expect.any(Number) });

    const standard = await provider.image!.generate({ model: 'draft', prompt: 'default size' }, call());
    const png = await sharp(standard.images[0]!.data).metadata();
    expect([png.format, png.width, png.height]).toEqual(['png', 1024, 1024]);
  });

  it('is deterministic, and differs by prompt, seed and index', async () => {
    const request = {
      model: 'draft',
      prompt: 'same <prompt> & "quotes"',
      size: { width: 64, height: 64 },
      seed: 3,
    };
    const [first, second, other, reseeded, pair] = await Promise.all([
      provider.image!.generate(request, call()),
      provider.image!.generate(request, call()),
      provider.image!.generate({ ...request, prompt: 'another prompt' }, call()),
      provider.image!.generate({ ...request, seed: 4 }, call()),
      provider.image!.generate({ ...request, count: 2, outputFormat: 'jpeg' }, call()),
    ]);
    expect(first.images[0]!.data.equals(second.images[0]!.data)).toBe(true);
    expect(first.images[0]!.data.equals(other.images[0]!.data)).toBe(false);
    expect(first.images[0]!.data.equals(reseeded.images[0]!.data)).toBe(false);
    expect(pair.images).toHaveLength(2);
    expect(pair.images[0]!.mediaType).toBe('image/jpeg');
    expect(pair.images[0]!.data.equals(pair.images[1]!.data)).toBe(false);
    // The background differs in colour, not just in the overlay.
    const corner = async (data: Buffer) =>
      (await sharp(data).extract({ left: 60, top: 60, width: 1, height: 1 }).raw().toBuffer()).toJSON().data;
    expect(await corner(first.images[0]!.data)).not.toEqual(await corner(other.images[0]!.data));
  });

  it('refuses a "forbidden" prompt as a content-policy failure and bad sizes as invalid requests', async () => {
    const refused = await failure(
      provider.image!.generate({ model: 'draft', prompt: 'Forbidden fruit' }, call()),
      ProviderError,
    );
    expect(refused).toMatchObject({ kind: 'content_policy', status: 400, retryable: false });
    const size = await failure(
      provider.image!.generate({ model: 'draft', prompt: 'x', size: { width: 10, height: 5000 } }, call()),
      InvalidRequestError,
    );
    expect(size.param).toBe('size');
  });

  it('wraps and escapes prompt text for the SVG overlay', () => {
    expect(escapeXml('<a href="x">&\u0000</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp; &lt;/a&gt;');
    expect(wrapText('one two three four five', 9, 5)).toEqual(['one two', 'three', 'four five']);
    expect(wrapText('abcdefghijkl', 5, 5)).toEqual(['abcde', 'fghij', 'kl']);
    expect(wrapText('one two three four five', 9, 2)).toEqual(['one two', 'three…']);
  });
});

describe('draft video', () => {
  it('progresses, completes, and renders an H.264 MP4 of the requested size and duration', async () => {
    const dataDir = directory();
    const clock = { now: 1_000 };
    const provider = build(dataDir, clock, { generation_ms: 1_000 });
    const { operationId } = await provider.video!.start(
      {
        model: 'draft',
        prompt: 'a slow pan over hills',
        seconds: 2,
        size: { width: 322, height: 181 },
        fps: 12,
      },
      call(),
    );
    const first = await provider.video!.status(operationId, call());
    clock.now += 400;
    const second = await provider.video!.status(operationId, call());
    expect(first).toMatchObject({ status: 'pending', fraction: 0 });
    expect(second).toMatchObject({ status: 'pending', fraction: 0.4, message: 'Rendering draft 40%' });
    await failure(provider.video!.download(operationId, 0, call()), InvalidRequestError);

    clock.now += 700;
    expect(await provider.video!.status(operationId, call())).toEqual({
      status: 'completed',
      videos: [{ index: 0, mediaType: 'video/mp4', seconds: 2, size: { width: 322, height: 180 } }],
      metadata: { draft: true, seed: expect.any(Number) },
    });
    const download = await provider.video!.download(operationId, 0, call());
    expect(download.mediaType).toBe('video/mp4');
    const data = await bytes(download.body);
    const facts = probe(data, dataDir);
    const video = facts.streams.find((stream) => stream.codec_type === 'video')!;
    expect([video.codec_name, video.width, video.height, video.pix_fmt]).toEqual([
      'h264',
      322,
      180,
      'yuv420p',
    ]);
    expect(Math.abs(Number(facts.format.duration) - 2)).toBeLessThanOrEqual(1 / 12);
    // +faststart: the index (moov) comes before the media data.
    expect(data.indexOf('moov')).toBeLessThan(data.indexOf('mdat'));

    // A restarted process decodes the id, finds the cached render and serves the same bytes.
    const restarted = build(dataDir, { now: clock.now });
    expect((await restarted.video!.status(operationId, call())).status).toBe('completed');
    expect((await bytes((await restarted.video!.download(operationId, 0, call())).body)).equals(data)).toBe(
      true,
    );
    expect(readdirSync(join(dataDir, 'draft', 'videos')).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('animates a first frame, and a new process renders it from the stored frame', async () => {
    const dataDir = directory();
    const clock = { now: 0 };
    const frame = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#ff0000' } })
      .png()
      .toBuffer();
    const { operationId } = await build(dataDir, clock, { generation_ms: 0 }).video!.start(
      {
        model: 'draft',
        prompt: 'red',
        seconds: 1,
        size: { width: 160, height: 90 },
        firstFrame: { data: frame, mediaType: 'image/png' },
      },
      call(),
    );
    const restarted = build(dataDir, clock);
    const data = await bytes((await restarted.video!.download(operationId, 0, call())).body);
    const path = join(dataDir, 'frame.mp4');
    writeFileSync(path, data);
    const decoded = spawnSync('ffmpeg', [
      '-v',
      'error',
      '-i',
      path,
      '-frames:v',
      '1',
      '-vf',
      'format=rgb24,crop=1:1:5:80',
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      '-',
    ]);
    expect(decoded.stderr.toString()).toBe('');
    const pixel = decoded.stdout;
    expect(pixel[0]).toBeGreaterThan(150);
    expect(pixel[2]).toBeLessThan(100);
  });

  it('fails a "forbidden" prompt through status, and rejects ids it did not make', async () => {
    const provider = build(directory(), { now: 0 });
    const { operationId } = await provider.video!.start(
      { model: 'draft', prompt: 'something FORBIDDEN' },
      call(),
    );
    expect(await provider.video!.status(operationId, call())).toMatchObject({
      status: 'failed',
      kind: 'content_policy',
    });
    await failure(provider.video!.download(operationId, 0, call()), InvalidRequestError);
    await failure(provider.video!.status('draft_bm90IGpzb24', call()), NotFoundError);
    await failure(provider.video!.status('vid_123', call()), NotFoundError);
  });

  it('says clearly when FFmpeg cannot be found, and validates its options', async () => {
    const provider = build(directory(), { now: 0 }, { generation_ms: 0, ffmpeg_path: '/nonexistent/ffmpeg' });
    const { operationId } = await provider.video!.start(
      { model: 'draft', prompt: 'x', seconds: 1, size: { width: 64, height: 64 } },
      call(),
    );
    const error = await failure(provider.video!.download(operationId, 0, call()), AtelierError);
    expect(error.code).toBe('media_tool_unavailable');
    expect(error.message).toContain('/nonexistent/ffmpeg');
    expect(() => build(directory(), { now: 0 }, { generation_ms: -1 })).toThrow(/options\.generation_ms/);
  });
});
