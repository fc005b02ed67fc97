/**
 * The official `openai` SDK against the fake's media endpoints: proof that the fake speaks the protocol
 * the SDK expects (multipart uploads included), so the provider tests built on it mean something.
 */
import OpenAI, { toFile } from 'openai';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeAudio, fakeImage, probeMedia } from '../../../../fakes/fake-media-bytes.js';
import type { FakeUpstream } from '../../../../fakes/fake-server.js';
import { startFakeOpenAI } from '../../../../fakes/openai-upstream.js';

let fake: FakeUpstream;
let client: OpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  client = new OpenAI({ apiKey: 'sk-sdk', baseURL: `${fake.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await fake.close();
});

describe('the fake OpenAI media endpoints, driven by the official SDK', () => {
  it('images.generate and images.edit', async () => {
    const generated = await client.images.generate({
      model: 'gpt-image-1',
      prompt: 'a lighthouse',
      size: '1024x1024',
    });
    expect(generated.usage?.output_tokens).toBe(1056);
    expect((await sharp(Buffer.from(generated.data![0]!.b64_json!, 'base64')).metadata()).format).toBe('png');

    const edited = await client.images.edit({
      model: 'gpt-image-1',
      prompt: 'at night',
      image: [await toFile(await fakeImage('one', 32, 32), 'one.png', { type: 'image/png' })],
    });
    expect(edited.data).toHaveLength(1);
    expect(fake.requests.at(-1)!.headers['content-type']).toMatch(/^multipart\/form-data/);
  });

  it('videos.create, retrieve until completed, downloadContent', async () => {
    const created = await client.videos.create({
      model: 'sora-2',
      prompt: 'a kite',
      seconds: '4',
      size: '1280x720',
      input_reference: await toFile(await fakeImage('kite', 1280, 720), 'kite.png', { type: 'image/png' }),
    });
    expect(created).toMatchObject({
      object: 'video',
      status: 'queued',
      progress: 0,
      seconds: '4',
      size: '1280x720',
    });
    let video = created;
    for (let poll = 0; poll < 5 && video.status !== 'completed'; poll++)
      video = await client.videos.retrieve(created.id);
    expect(video).toMatchObject({ status: 'completed', progress: 100 });
    const content = await client.videos.downloadContent(created.id);
    const probed = await probeMedia(Buffer.from(await content.arrayBuffer()), 'sdk.mp4');
    expect(probed.streams[0]).toMatchObject({ codec_name: 'h264', width: 160, height: 120 });
  });

  it('audio.speech.create and audio.transcriptions.create', async () => {
    const speech = await client.audio.speech.create({
      model: 'gpt-4o-mini-tts',
      input: 'Hello',
      voice: 'coral',
      response_format: 'mp3',
    });
    expect(speech.headers.get('content-type')).toBe('audio/mpeg');
    expect(
      (await probeMedia(Buffer.from(await speech.arrayBuffer()), 'sdk.mp3')).streams[0]!.codec_name,
    ).toBe('mp3');

    const transcript = await client.audio.transcriptions.create({
      model: 'whisper-1',
      file: await toFile(await fakeAudio('wav'), 'hello.wav', { type: 'audio/wav' }),
      response_format: 'verbose_json',
    });
    expect(transcript).toMatchObject({
      text: 'Fake transcript of hello.wav',
      language: 'english',
      duration: 1,
    });
    expect(transcript.segments).toHaveLength(1);
  });
});
