/**
 * Images, videos and speech through Atelier with the official `openai` client, against fake upstreams that
 * speak each vendor's protocol (OpenAI, Gemini/Imagen/Veo, ComfyUI) and the offline draft provider.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI, { toFile } from 'openai';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeComfyUI, type FakeComfyUI } from '../../fakes/comfyui-upstream.js';
import {
  adminKey,
  startFakes,
  startHarness,
  type Fakes,
  type Harness,
} from '../../support/gateway-harness.js';

let fakes: Fakes;
let comfy: FakeComfyUI;
let harness: Harness;

beforeAll(async () => {
  fakes = await startFakes();
  comfy = await startFakeComfyUI({ stepDelayMs: 5 });
  harness = await startHarness({
    fakes,
    providers: [
      { id: 'draft', type: 'draft', models: ['draft-image', 'draft-video'], options: { generation_ms: 300 } },
      {
        id: 'oai',
        type: 'openai',
        base_url: `${fakes.openai.url}/v1`,
        models: ['gpt-image-1', 'sora-2', 'gpt-4o-mini-tts', 'whisper-1'],
        options: { video_poll_interval_ms: 100 },
        credentials: [{ api_key: 'sk-good' }],
      },
      {
        id: 'gem',
        type: 'gemini',
        base_url: fakes.gemini.url,
        models: ['imagen-4.0-generate-001', 'veo-3.0-generate-001'],
        options: { video_poll_interval_ms: 100 },
        credentials: [{ api_key: 'gem-good' }],
      },
      {
        id: 'comfy',
        type: 'comfyui',
        base_url: comfy.url,
        models: ['sdxl'],
        options: {
          workflows: {
            sdxl: { file: join(process.cwd(), 'examples/comfyui/sdxl-text-to-image.json'), kind: 'image' },
          },
        },
      },
    ],
  });
});

afterAll(async () => {
  await harness?.close();
  await Promise.all([...Object.values(fakes), comfy].map((server) => server.close()));
});

const client = () => new OpenAI({ apiKey: adminKey, baseURL: `${harness.url}/v1`, maxRetries: 0 });

function probe(buffer: Buffer): { codec: string; duration: number } {
  const directory = mkdtempSync(join(tmpdir(), 'atelier-probe-'));
  const path = join(directory, 'video.mp4');
  writeFileSync(path, buffer);
  const output = JSON.parse(
    execFileSync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', path], {
      encoding: 'utf8',
    }),
  ) as { streams: Array<{ codec_type: string; codec_name: string }>; format: { duration: string } };
  return {
    codec: output.streams.find((stream) => stream.codec_type === 'video')!.codec_name,
    duration: Number(output.format.duration),
  };
}

describe('images', () => {
  it.each(['draft-image', 'gpt-image-1', 'imagen-4.0-generate-001', 'sdxl'])(
    'generates with %s and keeps it in the library',
    async (model) => {
      const result = await client().images.generate({
        model,
        prompt: 'a lighthouse at dusk',
        size: '1024x1024',
      });
      const image = Buffer.from(result.data![0]!.b64_json!, 'base64');
      const metadata = await sharp(image).metadata();
      expect(metadata.width).toBeGreaterThan(0);
      const files = await client().files.list();
      const stored = files.data.find(
        (file) =>
          (file as unknown as { metadata: { prompt?: string; model?: string } }).metadata.model === model,
      );
      expect(stored).toBeDefined();
    },
  );

  it('answers with a library link when asked for url', async () => {
    const result = await client().images.generate({
      model: 'draft-image',
      prompt: 'linked',
      response_format: 'url',
    });
    const url = result.data![0]!.url!;
    expect(url).toMatch(/\/v1\/files\/file-[\w]+\/content$/);
    const response = await fetch(url, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(response.headers.get('content-type')).toBe('image/png');
    expect((await sharp(Buffer.from(await response.arrayBuffer())).metadata()).format).toBe('png');
  });

  it('edits an image through the OpenAI edits endpoint', async () => {
    const source = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#336699' } })
      .png()
      .toBuffer();
    const result = await client().images.edit({
      model: 'gpt-image-1',
      prompt: 'add a moon',
      image: await toFile(source, 'source.png', { type: 'image/png' }),
    });
    expect(result.data![0]!.b64_json).toBeTruthy();
    expect(fakes.openai.requests.at(-1)!.path).toBe('/v1/images/edits');
  });

  it('400 for an edit on a model that cannot edit', async () => {
    const source = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    await expect(
      client().images.edit({
        model: 'imagen-4.0-generate-001',
        prompt: 'x',
        image: await toFile(source, 'a.png', { type: 'image/png' }),
      }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });
});

describe('videos', () => {
  it.each(['draft-video', 'sora-2', 'veo-3.0-generate-001'])(
    'creates, polls and downloads a video with %s',
    async (model) => {
      const created = await client().videos.create({
        model: model as 'sora-2',
        prompt: 'waves on a beach',
        seconds: '4',
        size: '1280x720',
      });
      expect(created.object).toBe('video');
      expect(['queued', 'in_progress']).toContain(created.status);
      let video = created;
      const deadline = Date.now() + 30_000;
      while (video.status !== 'completed' && video.status !== 'failed' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 150));
        video = await client().videos.retrieve(created.id);
      }
      expect(video.status).toBe('completed');
      expect(video.progress).toBe(100);
      const content = await client().videos.downloadContent(created.id);
      const bytes = Buffer.from(await content.arrayBuffer());
      expect(probe(bytes).codec).toBe('h264');
      const job = await (
        await fetch(`${harness.url}/v1/jobs/${created.id}`, {
          headers: { authorization: `Bearer ${adminKey}` },
        })
      ).json();
      expect(job).toMatchObject({ object: 'job', type: 'video.generate', status: 'succeeded' });
    },
  );

  it('renders a draft video of the requested duration', async () => {
    const created = await client().videos.create({
      model: 'draft-video' as 'sora-2',
      prompt: 'two seconds',
      seconds: '4',
    });
    await harness.application.jobs.service.waitForEnd(created.id, AbortSignal.timeout(30_000));
    const bytes = Buffer.from(await (await client().videos.downloadContent(created.id)).arrayBuffer());
    expect(Math.abs(probe(bytes).duration - 4)).toBeLessThan(0.1);
  });

  it('fails a video refused for content policy, keeping the error', async () => {
    const created = await client().videos.create({
      model: 'draft-video' as 'sora-2',
      prompt: 'something forbidden',
    });
    await harness.application.jobs.service.waitForEnd(created.id, AbortSignal.timeout(30_000));
    const video = await client().videos.retrieve(created.id);
    expect(video.status).toBe('failed');
    expect(video.error?.code).toBe('content_policy_violation');
  });

  it('returns the same video for the same Idempotency-Key', async () => {
    const body = { model: 'draft-video' as 'sora-2', prompt: 'idempotent' };
    const first = await client().videos.create(body, { headers: { 'Idempotency-Key': 'video-key-1' } });
    const second = await client().videos.create(body, { headers: { 'Idempotency-Key': 'video-key-1' } });
    expect(second.id).toBe(first.id);
  });

  it('400 before any job for a last frame on a provider without it, or a model that makes no video', async () => {
    const frame = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#123' } })
      .png()
      .toBuffer();
    const upload = await client().files.create({
      file: await toFile(frame, 'f.png', { type: 'image/png' }),
      purpose: 'vision',
    });
    const before = (await harness.application.jobs.service.list({ limit: 1000 })).length;
    await expect(
      client().videos.create({ model: 'sora-2', prompt: 'x', last_frame: upload.id } as never),
    ).rejects.toThrow(/last frame/);
    await expect(
      client().videos.create({ model: 'gpt-image-1' as 'sora-2', prompt: 'x' }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    expect((await harness.application.jobs.service.list({ limit: 1000 })).length).toBe(before);
  });

  it('image-to-video: the uploaded first frame reaches Veo', async () => {
    const frame = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#456' } })
      .png()
      .toBuffer();
    const created = await client().videos.create({
      model: 'veo-3.0-generate-001' as 'sora-2',
      prompt: 'animate this',
      input_reference: await toFile(frame, 'first.png', { type: 'image/png' }),
    });
    await harness.application.jobs.service.waitForEnd(created.id, AbortSignal.timeout(30_000));
    expect((await client().videos.retrieve(created.id)).status).toBe('completed');
    const start = fakes.gemini.requests.find(
      (request) =>
        request.path.endsWith(':predictLongRunning') && JSON.stringify(request.body).includes('animate this'),
    );
    expect(JSON.stringify(start!.body)).toContain('bytesBase64Encoded');
  });
});

describe('chat clients that know nothing of jobs', () => {
  it('streams a video made through /v1/chat/completions: progress as reasoning, the link as content', async () => {
    const stream = await client().chat.completions.create({
      model: 'draft-video',
      stream: true,
      messages: [{ role: 'user', content: 'a paper boat on a river' }],
    });
    let reasoning = '';
    let content = '';
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string; reasoning_content?: string } | undefined;
      reasoning += delta?.reasoning_content ?? '';
      content += delta?.content ?? '';
    }
    expect(reasoning).toMatch(/queued/);
    expect(reasoning).toMatch(/Generating… \d+/);
    const link = /\((http[^)]+\/v1\/files\/file-\w+\/content)\)/.exec(content)![1]!;
    const response = await fetch(link, { headers: { authorization: `Bearer ${adminKey}` } });
    expect(response.headers.get('content-type')).toBe('video/mp4');
  });

  it('keeps serving when a client leaves a streamed media chat midway', async () => {
    const leaving = new AbortController();
    const response = await fetch(`${harness.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'draft-video',
        stream: true,
        messages: [{ role: 'user', content: 'a kite over a beach' }],
      }),
      signal: leaving.signal,
    });
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toMatch(/^data: /);
    leaving.abort();
    // The wait for the job ends with the client's abort; nothing may be left to reject unhandled.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const models = await client().models.list();
    expect(models.data.map((model) => model.id)).toContain('draft-video');
  });

  it('makes an image from a chat message with an image input', async () => {
    const source = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#884422' } })
      .png()
      .toBuffer();
    const completion = await client().chat.completions.create({
      model: 'gpt-image-1',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'make it blue' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${source.toString('base64')}` } },
          ],
        },
      ],
    });
    expect(completion.choices[0]!.message.content).toMatch(/!\[image 1\]\(http.+\/content\)/);
    expect(fakes.openai.requests.at(-1)!.path).toBe('/v1/images/edits');
  });
});

describe('speech', () => {
  it('synthesizes speech and transcribes it', async () => {
    const speech = await client().audio.speech.create({
      model: 'gpt-4o-mini-tts',
      input: 'hello world',
      voice: 'alloy',
      response_format: 'wav',
    });
    const audio = Buffer.from(await speech.arrayBuffer());
    expect(audio.subarray(0, 4).toString()).toBe('RIFF');
    const transcription = await client().audio.transcriptions.create({
      model: 'whisper-1',
      file: await toFile(audio, 'speech.wav', { type: 'audio/wav' }),
    });
    expect(typeof transcription.text).toBe('string');
    const srt = await client().audio.transcriptions.create({
      model: 'whisper-1',
      file: await toFile(audio, 'speech.wav', { type: 'audio/wav' }),
      response_format: 'srt',
    });
    expect(String(srt)).toMatch(/^1\n00:00:00,000 --> /);
  });
});
