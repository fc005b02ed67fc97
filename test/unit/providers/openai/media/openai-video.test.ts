import type { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../../../src/errors/index.js';
import type { VideoCapability, VideoStatus } from '../../../../../src/providers/media-spec.js';
import { fakeImage, probeMedia } from '../../../../fakes/fake-media-bytes.js';
import type { FakeUpstream } from '../../../../fakes/fake-server.js';
import { startFakeOpenAI } from '../../../../fakes/openai-upstream.js';
import {
  bytesOf,
  lastRequest,
  mediaOptions,
  multipartOf,
  openAIMediaProvider,
  providerFailure,
} from './openai-media-kit.js';

let fake: FakeUpstream;
let dispatcher: Agent;
let video: VideoCapability;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  const built = openAIMediaProvider(fake);
  dispatcher = built.dispatcher;
  video = built.provider.video!;
});
afterAll(async () => {
  await dispatcher.close();
  await fake.close();
});

describe('OpenAI video (Sora)', () => {
  it('starts with a multipart form carrying the first frame, rounding the length up to a Sora clip', async () => {
    const frame = await fakeImage('first frame', 1280, 720);
    const operation = await video.start(
      {
        model: 'sora-2',
        prompt: 'a paper boat on a river',
        seconds: 5,
        size: { width: 1280, height: 720 },
        firstFrame: { data: frame, mediaType: 'image/png' },
        seed: 3,
      },
      mediaOptions(),
    );

    expect(operation.operationId).toMatch(/^video_[0-9a-f]{32}$/);
    expect(operation.warnings).toEqual([
      'OpenAI video clips last 4, 8 or 12 seconds; 5 s became 8 s.',
      'seed is not supported by OpenAI video models and was ignored.',
    ]);
    const sent = lastRequest(fake);
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/v1/videos');
    expect(sent.headers.authorization).toBe('Bearer sk-good');
    const form = multipartOf(sent);
    expect(form.fields).toEqual([
      { name: 'model', value: 'sora-2' },
      { name: 'prompt', value: 'a paper boat on a river' },
      { name: 'seconds', value: '8' },
      { name: 'size', value: '1280x720' },
    ]);
    expect(form.files).toEqual([
      {
        name: 'input_reference',
        filename: 'first-frame.png',
        contentType: 'image/png',
        text: frame.toString('utf8'),
      },
    ]);
  });

  it('reports progress over polls, then completes with a real MP4 to download', async () => {
    const { operationId } = await video.start(
      { model: 'sora-2', prompt: 'waves', seconds: 4, aspectRatio: '9:16' },
      mediaOptions(),
    );
    expect(multipartOf(lastRequest(fake)).fields).toContainEqual({ name: 'size', value: '720x1280' });

    const statuses: VideoStatus[] = [];
    for (let poll = 0; poll < 3; poll++) {
      statuses.push(await video.status(operationId, mediaOptions()));
      expect(lastRequest(fake)).toMatchObject({ method: 'GET', path: `/v1/videos/${operationId}` });
    }
    expect(statuses.slice(0, 2)).toEqual([
      { status: 'pending', fraction: 0.33, message: 'in progress' },
      { status: 'pending', fraction: 0.66, message: 'in progress' },
    ]);
    expect(statuses[2]).toEqual({
      status: 'completed',
      videos: [{ index: 0, mediaType: 'video/mp4', seconds: 4, size: { width: 720, height: 1280 } }],
      usage: { seconds: 4 },
      metadata: { model: 'sora-2', videoId: operationId },
    });

    const download = await video.download(operationId, 0, mediaOptions());
    expect(lastRequest(fake)).toMatchObject({ method: 'GET', path: `/v1/videos/${operationId}/content` });
    expect(download.mediaType).toBe('video/mp4');
    const probed = await probeMedia(await bytesOf(download.body), 'video.mp4');
    expect(probed.format.format_name).toContain('mp4');
    expect(probed.streams[0]).toMatchObject({
      codec_type: 'video',
      codec_name: 'h264',
      width: 160,
      height: 120,
    });

    await expect(video.download(operationId, 1, mediaOptions())).rejects.toBeInstanceOf(InvalidRequestError);
  });

  it('ends a refused prompt as a content_policy failure', async () => {
    const { operationId } = await video.start(
      { model: 'sora-2', prompt: 'something forbidden' },
      mediaOptions(),
    );
    expect((await video.status(operationId, mediaOptions())).status).toBe('pending');
    expect(await video.status(operationId, mediaOptions())).toEqual({
      status: 'failed',
      kind: 'content_policy',
      message: 'Your request was blocked by our moderation system.',
    });
  });

  it('cancels by deleting the video, after which the upstream no longer knows it', async () => {
    const { operationId } = await video.start({ model: 'sora-2', prompt: 'a cat' }, mediaOptions());
    await video.cancel!(operationId, mediaOptions());
    expect(lastRequest(fake)).toMatchObject({ method: 'DELETE', path: `/v1/videos/${operationId}` });
    const error = await providerFailure(video.status(operationId, mediaOptions()));
    expect(error).toMatchObject({ kind: 'not_found', status: 404, code: 'video_not_found' });
  });

  it('refuses what Sora cannot take before calling, and passes a size it rejects back as a client error', async () => {
    const before = fake.requests.length;
    const frame = { data: Buffer.from('x'), mediaType: 'image/png' };
    await expect(
      video.start({ model: 'sora-2', prompt: 'p', lastFrame: frame }, mediaOptions()),
    ).rejects.toMatchObject({
      status: 400,
      param: 'last_frame',
    });
    await expect(
      video.start({ model: 'sora-2', prompt: 'p', referenceImages: [frame] }, mediaOptions()),
    ).rejects.toMatchObject({ status: 400, param: 'reference_images' });
    expect(fake.requests.length).toBe(before);

    const error = await providerFailure(
      video.start({ model: 'sora-2', prompt: 'p', size: { width: 640, height: 480 } }, mediaOptions()),
    );
    expect(error).toMatchObject({ kind: 'invalid_request', status: 400, param: 'size', retryable: false });
  });

  it('takes its poll interval from the provider options', () => {
    expect(video.pollIntervalMs).toBe(10);
    expect(openAIMediaProvider(fake, {}).provider.video!.pollIntervalMs).toBe(2000);
    expect(() => openAIMediaProvider(fake, { video_poll_interval_ms: -1 })).toThrow(/video_poll_interval_ms/);
  });
});
