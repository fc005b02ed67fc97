import type { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VideoCapability, VideoStatus } from '../../../../../src/providers/media-spec.js';
import { fakeImage, probeMedia } from '../../../../fakes/fake-media-bytes.js';
import type { FakeUpstream } from '../../../../fakes/fake-server.js';
import { startFakeGemini } from '../../../../fakes/gemini-upstream.js';
import { bytesOf, geminiMediaProvider, lastRequest, mediaOptions } from './gemini-media-kit.js';

let fake: FakeUpstream;
let dispatcher: Agent;
let video: VideoCapability;

beforeAll(async () => {
  fake = await startFakeGemini();
  const built = geminiMediaProvider(fake);
  dispatcher = built.dispatcher;
  video = built.provider.video!;
});
afterAll(async () => {
  await dispatcher.close();
  await fake.close();
});

async function pollUntilDone(operationId: string): Promise<VideoStatus[]> {
  const statuses: VideoStatus[] = [];
  for (let poll = 0; poll < 5; poll++) {
    const status = await video.status(operationId, mediaOptions());
    statuses.push(status);
    if (status.status !== 'pending') break;
  }
  return statuses;
}

describe('Gemini video (Veo)', () => {
  it('starts with frames and references inline, then completes and downloads through the redirect', async () => {
    const first = await fakeImage('first', 64, 36);
    const last = await fakeImage('last', 64, 36);
    const reference = await fakeImage('hero', 32, 32, 'jpeg');
    const operation = await video.start(
      {
        model: 'veo-3.1-generate-preview',
        prompt: 'a fox runs through snow',
        negativePrompt: 'cartoon',
        seconds: 8,
        size: { width: 1920, height: 1080 },
        seed: 5,
        fps: 24,
        firstFrame: { data: first, mediaType: 'image/png' },
        lastFrame: { data: last, mediaType: 'image/png' },
        referenceImages: [{ data: reference, mediaType: 'image/jpeg' }],
      },
      mediaOptions(),
    );
    expect(operation.operationId).toMatch(/^models\/veo-3\.1-generate-preview\/operations\/[0-9a-f]{16}$/);
    expect(operation.warnings).toEqual(['fps is not supported by Veo and was ignored.']);
    const sent = lastRequest(fake);
    expect(sent).toMatchObject({
      method: 'POST',
      path: '/v1beta/models/veo-3.1-generate-preview:predictLongRunning',
    });
    expect(sent.headers['x-goog-api-key']).toBe('gemini-good');
    expect(sent.body).toEqual({
      instances: [
        {
          prompt: 'a fox runs through snow',
          image: { bytesBase64Encoded: first.toString('base64'), mimeType: 'image/png' },
          lastFrame: { bytesBase64Encoded: last.toString('base64'), mimeType: 'image/png' },
          referenceImages: [
            {
              image: { bytesBase64Encoded: reference.toString('base64'), mimeType: 'image/jpeg' },
              referenceType: 'asset',
            },
          ],
        },
      ],
      parameters: {
        aspectRatio: '16:9',
        resolution: '1080p',
        durationSeconds: 8,
        negativePrompt: 'cartoon',
        seed: 5,
      },
    });

    const statuses = await pollUntilDone(operation.operationId);
    expect(lastRequest(fake)).toMatchObject({ method: 'GET', path: `/v1beta/${operation.operationId}` });
    expect(statuses.map((status) => status.status)).toEqual(['pending', 'pending', 'completed']);
    expect(statuses[0]).toEqual({ status: 'pending', message: 'Veo is generating the video' });
    expect(statuses[2]).toEqual({
      status: 'completed',
      videos: [{ index: 0, mediaType: 'video/mp4' }],
      metadata: { operation: operation.operationId },
    });

    const before = fake.requests.length;
    const download = await video.download(operation.operationId, 0, mediaOptions());
    const bytes = await bytesOf(download.body);
    const [refresh, file, storage] = fake.requests.slice(before);
    expect(refresh!.path).toBe(`/v1beta/${operation.operationId}`);
    expect(file!.path).toMatch(/^\/v1beta\/files\/[0-9a-f]+:download$/);
    expect(file!.query.get('alt')).toBe('media');
    expect(file!.headers['x-goog-api-key']).toBe('gemini-good');
    // The signed storage URL never sees the key.
    expect(storage!.path).toMatch(/^\/fake-storage\//);
    expect(storage!.headers['x-goog-api-key']).toBeUndefined();
    expect(storage!.headers.authorization).toBeUndefined();
    expect(download.mediaType).toBe('video/mp4');
    const probed = await probeMedia(bytes, 'veo.mp4');
    expect(probed.streams[0]).toMatchObject({
      codec_type: 'video',
      codec_name: 'h264',
      width: 160,
      height: 120,
    });

    await expect(video.download(operation.operationId, 1, mediaOptions())).rejects.toMatchObject({
      param: 'index',
    });
  });

  it('maps portrait sizes and explicit ratios, and refuses what Veo cannot take', async () => {
    await video.start(
      { model: 'veo-3.0-generate-001', prompt: 'p', size: { width: 720, height: 1280 } },
      mediaOptions(),
    );
    expect((lastRequest(fake).body as { parameters: unknown }).parameters).toEqual({
      aspectRatio: '9:16',
      resolution: '720p',
    });

    const before = fake.requests.length;
    await expect(
      video.start({ model: 'veo-3.0-generate-001', prompt: 'p', aspectRatio: '1:1' }, mediaOptions()),
    ).rejects.toMatchObject({ status: 400, param: 'aspect_ratio' });
    await expect(
      video.start(
        {
          model: 'veo-3.0-generate-001',
          prompt: 'p',
          lastFrame: { data: Buffer.from('x'), mediaType: 'image/png' },
        },
        mediaOptions(),
      ),
    ).rejects.toMatchObject({ status: 400, param: 'first_frame' });
    await expect(video.status('../../secrets', mediaOptions())).rejects.toMatchObject({
      param: 'operation_id',
    });
    expect(fake.requests.length).toBe(before);
  });

  it('ends an RAI-filtered operation as content_policy, with Google’s reason', async () => {
    const { operationId } = await video.start(
      { model: 'veo-3.0-generate-001', prompt: 'forbidden act' },
      mediaOptions(),
    );
    const statuses = await pollUntilDone(operationId);
    expect(statuses.at(-1)).toEqual({
      status: 'failed',
      kind: 'content_policy',
      message:
        "We can't create videos from this prompt: it may violate our policies. You will not be charged.",
    });
  });

  it('ends an operation error as an upstream failure', async () => {
    const { operationId } = await video.start(
      { model: 'veo-3.0-generate-001', prompt: 'an unlucky day' },
      mediaOptions(),
    );
    const statuses = await pollUntilDone(operationId);
    expect(statuses.at(-1)).toEqual({
      status: 'failed',
      kind: 'upstream',
      message: 'Video generation failed due to an internal error.',
    });
  });

  it('polls at the configured interval', () => {
    expect(video.pollIntervalMs).toBe(10);
    expect(video.supports).toEqual({
      textToVideo: true,
      firstFrame: true,
      lastFrame: true,
      referenceImages: true,
    });
  });
});
