import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtelierError, InvalidRequestError, ProviderError } from '../../../../src/errors/index.js';
import { createComfyUIProvider } from '../../../../src/providers/comfyui/index.js';
import type { MediaCallOptions, VideoStatus } from '../../../../src/providers/media-spec.js';
import type { Provider } from '../../../../src/providers/spec.js';
import { startFakeComfyUI, type FakeComfyUI } from '../../../fakes/comfyui-upstream.js';

const examples = resolve('examples/comfyui');
const scratch = mkdtempSync(join(tmpdir(), 'comfyui-provider-'));
let fake: FakeComfyUI;
let dispatcher: Agent;
let provider: Provider;

/** A copy of the SDXL example without CLIPTextEncode's clip input: ComfyUI rejects it with node_errors. */
const brokenWorkflow = join(scratch, 'broken.json');

function build(url: string, extra: Record<string, unknown> = {}, timeoutMs = 5_000): Provider {
  return createComfyUIProvider(
    {
      id: 'comfy',
      baseURL: url,
      dataDir: examples,
      dispatcher,
      timeoutMs,
      options: {
        poll_interval_ms: 20,
        workflows: {
          sdxl: { file: 'sdxl-text-to-image.json', kind: 'image' },
          svd: { file: 'svd-image-to-video.json', kind: 'video', output_node: '8' },
          broken: { file: brokenWorkflow, kind: 'image' },
        },
        ...extra,
      },
    },
    { randomSeed: () => 1234 },
  );
}

function call(): MediaCallOptions {
  return { credential: { id: 'local', apiKey: '' }, signal: new AbortController().signal };
}

async function rejection<T extends Error>(
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

function submitted(on: FakeComfyUI = fake) {
  const request = on.requests.filter((entry) => entry.path === '/prompt').at(-1)!;
  return request.body as {
    prompt: Record<string, { class_type: string; inputs: Record<string, unknown> }>;
    client_id: string;
    extra_data: Record<string, unknown>;
  };
}

async function pngFrame(): Promise<Buffer> {
  return sharp({ create: { width: 32, height: 18, channels: 3, background: '#336699' } })
    .png()
    .toBuffer();
}

async function until(provider: Provider, operationId: string, done: (status: VideoStatus) => boolean) {
  const seen: VideoStatus[] = [];
  for (let attempt = 0; attempt < 300; attempt++) {
    const status = await provider.video!.status(operationId, call());
    seen.push(status);
    if (done(status)) return seen;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`operation never reached the state: ${JSON.stringify(seen.at(-1))}`);
}

beforeAll(async () => {
  const broken = JSON.parse(readFileSync(join(examples, 'sdxl-text-to-image.json'), 'utf8'));
  delete broken['6'].inputs.clip;
  writeFileSync(brokenWorkflow, JSON.stringify(broken));
  fake = await startFakeComfyUI();
  dispatcher = new Agent({ keepAliveTimeout: 10_000 });
  provider = build(fake.url);
});

afterAll(async () => {
  await fake.close();
  await dispatcher.close();
});

describe('ComfyUI provider', () => {
  it('describes itself from its workflows', async () => {
    expect(provider.type).toBe('comfyui');
    expect(provider.specificationVersion).toBe('v1');
    expect(provider.chat).toBeUndefined();
    expect(provider.image!.supports).toEqual({ generate: true, edit: false, mask: false });
    expect(provider.video!.supports).toEqual({
      textToVideo: false,
      firstFrame: true,
      lastFrame: false,
      referenceImages: false,
    });
    expect(await provider.listModels!(call())).toEqual(['sdxl', 'svd', 'broken']);
  });

  it('generates an image: fills the workflow, follows the socket, fetches from /history and /view', async () => {
    const progress: Array<{ fraction?: number; message?: string }> = [];
    const prompt = 'a lighthouse at dusk, "cinematic" {style} }} {{not a placeholder';
    const result = await provider.image!.generate(
      { model: 'sdxl', prompt, negativePrompt: 'blurry', size: { width: 96, height: 64 }, seed: 7 },
      { ...call(), onProgress: (update) => progress.push(update) },
    );
    const body = submitted();
    expect(body.prompt['6']!.inputs.text).toBe(prompt);
    expect(body.prompt['7']!.inputs.text).toBe('blurry');
    expect(body.prompt['3']!.inputs.seed).toBe(7);
    expect(body.prompt['5']!.inputs).toMatchObject({ width: 96, height: 64, batch_size: 1 });
    expect(body.extra_data).toEqual({ atelier_model: 'sdxl' });
    // The socket was open under the same client id before the run started.
    const events = fake.events.get(body.client_id)!.map((event) => event.type);
    expect(events).toContain('execution_success');

    expect(result.images).toHaveLength(1);
    expect(result.images[0]!.mediaType).toBe('image/png');
    const metadata = await sharp(result.images[0]!.data).metadata();
    expect([metadata.width, metadata.height]).toEqual([96, 64]);
    expect(result.metadata).toMatchObject({ seed: 7 });
    expect(result.warnings).toBeUndefined();

    const view = fake.requests.filter((entry) => entry.path === '/view').at(-1)!;
    expect(view.query.get('subfolder')).toBe('atelier');
    expect(view.query.get('type')).toBe('output');
    expect(view.query.get('filename')).toMatch(/^sdxl_\d{5}_\.png$/);

    const fractions = progress.flatMap((update) => (update.fraction === undefined ? [] : [update.fraction]));
    expect(fractions.at(-1)).toBe(1);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);
    expect(progress.map((update) => update.message)).toContain('KSampler 12/20');
  });

  it('runs the workflow once per requested image with consecutive seeds', async () => {
    const before = fake.requests.filter((entry) => entry.path === '/prompt').length;
    const result = await provider.image!.generate(
      { model: 'sdxl', prompt: 'two cats', count: 2, size: { width: 32, height: 32 } },
      call(),
    );
    const bodies = fake.requests.filter((entry) => entry.path === '/prompt').slice(before);
    expect(
      bodies.map((entry) => (entry.body as ReturnType<typeof submitted>).prompt['3']!.inputs.seed),
    ).toEqual([1234, 1235]);
    expect(result.images).toHaveLength(2);
    expect(result.images[0]!.data.equals(result.images[1]!.data)).toBe(false);
    expect(result.metadata).toMatchObject({ seed: 1234 });
  });

  it('falls back to polling /history when the WebSocket is refused', async () => {
    const closed = await startFakeComfyUI({ websocket: false });
    try {
      const result = await build(closed.url).image!.generate(
        { model: 'sdxl', prompt: 'no socket', size: { width: 16, height: 16 } },
        call(),
      );
      expect(result.images).toHaveLength(1);
      const historyReads = closed.requests.filter((entry) => entry.path.startsWith('/history/'));
      expect(historyReads.length).toBeGreaterThanOrEqual(1);
    } finally {
      await closed.close();
    }
  });

  it('summarises node_errors of a rejected workflow as a non-retryable invalid request', async () => {
    const error = await rejection(
      provider.image!.generate({ model: 'broken', prompt: 'x' }, call()),
      ProviderError,
    );
    expect(error.status).toBe(400);
    expect(error.kind).toBe('invalid_request');
    expect(error.code).toBe('workflow_rejected');
    expect(error.retryable).toBe(false);
    expect(error.message).toBe(
      'Prompt outputs failed validation; node 6 (CLIPTextEncode): Required input is missing: clip',
    );
  });

  it('reports a failed run with the node exception', async () => {
    const error = await rejection(
      provider.image!.generate({ model: 'sdxl', prompt: 'please fault-exec now' }, call()),
      ProviderError,
    );
    expect(error.code).toBe('execution_error');
    expect(error.message).toContain('CLIPTextEncode: CUDA out of memory');
    expect(error.retryable).toBe(true);
  });

  it('turns transport faults into retryable failures', async () => {
    const server = await rejection(
      provider.image!.generate({ model: 'sdxl', prompt: 'fault-500' }, call()),
      ProviderError,
    );
    expect(server).toMatchObject({ upstreamStatus: 500, kind: 'upstream', retryable: true });
    const reset = await rejection(
      provider.image!.generate({ model: 'sdxl', prompt: 'fault-reset' }, call()),
      ProviderError,
    );
    expect(reset).toMatchObject({ kind: 'connection', retryable: true });
    const slow = build(fake.url, {}, 150);
    const timeout = await rejection(
      slow.image!.generate({ model: 'sdxl', prompt: 'fault-slow-1500' }, call()),
      ProviderError,
    );
    expect(timeout).toMatchObject({ kind: 'timeout', retryable: true });
  });

  it('refuses unknown models, the wrong kind, and a missing input image before calling ComfyUI', async () => {
    const before = fake.requests.length;
    await rejection(provider.image!.generate({ model: 'nope', prompt: 'x' }, call()), AtelierError);
    const kind = await rejection(
      provider.image!.generate({ model: 'svd', prompt: 'x' }, call()),
      InvalidRequestError,
    );
    expect(kind.param).toBe('model');
    const missing = await rejection(
      provider.video!.start({ model: 'svd', prompt: 'x' }, call()),
      InvalidRequestError,
    );
    expect(missing.param).toBe('input_reference');
    expect(fake.requests.slice(before).filter((entry) => entry.path === '/prompt')).toHaveLength(0);
  });

  it('makes a video: uploads the first frame, reports progress, completes and downloads the MP4', async () => {
    const frame = await pngFrame();
    const operation = await provider.video!.start(
      {
        model: 'svd',
        prompt: 'waves',
        firstFrame: { data: frame, mediaType: 'image/png' },
        seconds: 2,
        fps: 6,
        size: { width: 512, height: 288 },
      },
      call(),
    );
    const upload = fake.requests.filter((entry) => entry.path === '/upload/image').at(-1)!;
    expect(upload.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const raw = (upload.body as Buffer).toString('latin1');
    expect(raw).toContain('name="type"\r\n\r\ninput\r\n');
    expect(raw).toContain('name="overwrite"\r\n\r\nfalse\r\n');
    expect(raw).toContain('Content-Type: image/png');
    const [name] = [...fake.uploads.entries()].find(([, data]) => data.equals(frame))!;
    const body = submitted();
    expect(operation.operationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.prompt['2']!.inputs.image).toBe(name);
    expect(body.prompt['3']!.inputs).toMatchObject({ width: 512, height: 288, video_frames: 12, fps: 6 });

    const seen = await until(provider, operation.operationId, (status) => status.status !== 'pending');
    expect(seen.at(-1)).toEqual({
      status: 'completed',
      videos: [{ index: 0, mediaType: 'video/mp4' }],
      metadata: { prompt_id: operation.operationId },
    });
    const download = await provider.video!.download(operation.operationId, 0, call());
    expect(download.mediaType).toBe('video/mp4');
    const chunks: Buffer[] = [];
    for await (const chunk of download.body) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).subarray(4, 8).toString()).toBe('ftyp');

    // A new provider (a restarted Atelier) finds the same operation on the server.
    const restarted = build(fake.url);
    expect((await restarted.video!.status(operation.operationId, call())).status).toBe('completed');
    await rejection(restarted.video!.download(operation.operationId, 3, call()), AtelierError);
  });

  it('says how many runs are ahead, and cancels pending and running prompts', async () => {
    const slow = await startFakeComfyUI({ stepDelayMs: 40 });
    try {
      const video = build(slow.url).video!;
      const frame = { data: await pngFrame(), mediaType: 'image/png' };
      const first = await video.start({ model: 'svd', prompt: 'one', firstFrame: frame }, call());
      const second = await video.start({ model: 'svd', prompt: 'two', firstFrame: frame }, call());
      await until(
        build(slow.url),
        first.operationId,
        (status) => status.status === 'pending' && status.message !== 'pending, 0 ahead',
      );
      expect(await video.status(second.operationId, call())).toEqual({
        status: 'pending',
        message: 'pending, 1 ahead',
      });

      await video.cancel!(second.operationId, call());
      const deletion = slow.requests
        .filter((entry) => entry.path === '/queue' && entry.method === 'POST')
        .at(-1)!;
      expect(deletion.body).toEqual({ delete: [second.operationId] });
      expect(slow.requests.some((entry) => entry.path === '/interrupt')).toBe(false);
      expect(await video.status(second.operationId, call())).toMatchObject({
        status: 'failed',
        kind: 'upstream',
      });

      const running = await until(
        build(slow.url),
        first.operationId,
        (status) => status.status === 'pending' && status.message === 'running',
      );
      expect(running.at(-1)).toEqual({ status: 'pending', message: 'running' });
      await video.cancel!(first.operationId, call());
      expect(slow.requests.find((entry) => entry.path === '/interrupt')!.body).toEqual({
        prompt_id: first.operationId,
      });
      const ended = await until(build(slow.url), first.operationId, (status) => status.status !== 'pending');
      expect(ended.at(-1)).toEqual({
        status: 'failed',
        kind: 'upstream',
        message: 'the run was interrupted',
      });
    } finally {
      await slow.close();
    }
  });

  it('reports a live fraction in status while its own socket follows the run', async () => {
    const slow = await startFakeComfyUI({ stepDelayMs: 20 });
    try {
      const video = build(slow.url).video!;
      const frame = { data: await pngFrame(), mediaType: 'image/png' };
      const operation = await video.start({ model: 'svd', prompt: 'progress', firstFrame: frame }, call());
      const statuses: VideoStatus[] = [];
      for (let attempt = 0; attempt < 200; attempt++) {
        const status = await video.status(operation.operationId, call());
        statuses.push(status);
        if (status.status !== 'pending') break;
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
      const fractions = statuses.flatMap((status) =>
        status.status === 'pending' && status.fraction !== undefined ? [status.fraction] : [],
      );
      expect(fractions.length).toBeGreaterThan(2);
      expect(fractions.every((fraction) => fraction >= 0 && fraction <= 1)).toBe(true);
      expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);
      expect(
        statuses.some(
          (status) => status.status === 'pending' && /^KSampler \d+\/20$/.test(status.message ?? ''),
        ),
      ).toBe(true);
      expect(statuses.at(-1)!.status).toBe('completed');
    } finally {
      await slow.close();
    }
  });
});
