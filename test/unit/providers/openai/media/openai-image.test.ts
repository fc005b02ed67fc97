import sharp from 'sharp';
import type { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../../../src/errors/index.js';
import type { ImageCapability, ImageRequest } from '../../../../../src/providers/media-spec.js';
import { colourOf, fakeImage } from '../../../../fakes/fake-media-bytes.js';
import type { FakeUpstream } from '../../../../fakes/fake-server.js';
import { startFakeOpenAI } from '../../../../fakes/openai-upstream.js';
import {
  lastRequest,
  mediaOptions,
  multipartOf,
  openAIMediaProvider,
  providerFailure,
} from './openai-media-kit.js';

let fake: FakeUpstream;
let dispatcher: Agent;
let image: ImageCapability;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  const built = openAIMediaProvider(fake);
  dispatcher = built.dispatcher;
  image = built.provider.image!;
});
afterAll(async () => {
  await dispatcher.close();
  await fake.close();
});

const request = (overrides: Partial<ImageRequest> = {}): ImageRequest => ({
  model: 'gpt-image-1',
  prompt: 'a red fox in snow',
  ...overrides,
});

async function firstPixel(data: Buffer) {
  const { data: pixels } = await sharp(data).raw().toBuffer({ resolveWithObject: true });
  return { r: pixels[0], g: pixels[1], b: pixels[2] };
}

describe('OpenAI images: generations', () => {
  it('sends the gpt-image fields as JSON and returns decodable PNGs with usage', async () => {
    const result = await image.generate(
      request({
        count: 2,
        size: { width: 1024, height: 1536 },
        quality: 'low',
        background: 'transparent',
        outputFormat: 'png',
        negativePrompt: 'blurry',
      }),
      mediaOptions(),
    );

    const sent = lastRequest(fake);
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/v1/images/generations');
    expect(sent.headers.authorization).toBe('Bearer sk-good');
    expect(sent.headers['content-type']).toBe('application/json');
    expect(sent.body).toEqual({
      model: 'gpt-image-1',
      prompt: 'a red fox in snow',
      n: 2,
      size: '1024x1536',
      quality: 'low',
      background: 'transparent',
      output_format: 'png',
    });

    expect(result.images).toHaveLength(2);
    for (const generated of result.images) {
      expect(generated.mediaType).toBe('image/png');
      const metadata = await sharp(generated.data).metadata();
      expect(metadata).toMatchObject({ format: 'png', width: 1024, height: 1536 });
      expect(await firstPixel(generated.data)).toEqual(colourOf('a red fox in snow'));
    }
    expect(result.usage).toEqual({ inputTokens: 5, outputTokens: 544 });
    expect(result.warnings).toEqual([
      'negativePrompt is not supported by OpenAI gpt-image models and was ignored.',
    ]);
  });

  it('reports the format gpt-image produced', async () => {
    const result = await image.generate(request({ outputFormat: 'jpeg' }), mediaOptions());
    expect((lastRequest(fake).body as Record<string, unknown>)['output_format']).toBe('jpeg');
    expect(result.images[0]!.mediaType).toBe('image/jpeg');
    expect((await sharp(result.images[0]!.data).metadata()).format).toBe('jpeg');
  });

  it('asks DALL·E for base64 and keeps its revised prompt; gpt-image-only settings become warnings', async () => {
    const result = await image.generate(
      request({ model: 'dall-e-3', style: 'vivid', quality: 'hd', background: 'opaque', seed: 7 }),
      mediaOptions(),
    );
    expect(lastRequest(fake).body).toEqual({
      model: 'dall-e-3',
      prompt: 'a red fox in snow',
      quality: 'hd',
      style: 'vivid',
      response_format: 'b64_json',
    });
    expect(result.images[0]!.revisedPrompt).toBe('A detailed rendering of a red fox in snow');
    expect(result.usage).toBeUndefined();
    expect(result.warnings).toEqual([
      'background is not supported by OpenAI dall-e-3 models and was ignored.',
      'seed is not supported by OpenAI dall-e-3 models and was ignored.',
    ]);
  });

  it('passes providerOptions.openai through, and names a bad one', async () => {
    await image.generate(request({ providerOptions: { openai: { moderation: 'low' } } }), mediaOptions());
    expect((lastRequest(fake).body as Record<string, unknown>)['moderation']).toBe('low');

    const before = fake.requests.length;
    const error = await image
      .generate(request({ providerOptions: { openai: { moderation: 'none' } } }), mediaOptions())
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ param: 'providerOptions.openai.moderation' });
    expect(fake.requests.length).toBe(before);
  });

  it('turns a refused prompt into a content_policy error that no other credential would fix', async () => {
    const error = await providerFailure(
      image.generate(request({ prompt: 'something forbidden' }), mediaOptions()),
    );
    expect(error).toMatchObject({
      kind: 'content_policy',
      status: 400,
      code: 'content_policy_violation',
      retryable: false,
      credentialEffect: 'none',
    });
  });
});

describe('OpenAI images: edits', () => {
  it('uploads every source image as image[] and the mask as multipart files', async () => {
    const first = await fakeImage('source one', 64, 64);
    const second = await fakeImage('source two', 64, 64);
    const mask = await fakeImage('mask', 64, 64);
    const result = await image.generate(
      request({
        prompt: 'add a hat',
        size: { width: 1024, height: 1024 },
        inputImages: [
          { data: first, mediaType: 'image/png' },
          { data: second, mediaType: 'image/png', filename: 'second.png' },
        ],
        mask: { data: mask, mediaType: 'image/png' },
      }),
      mediaOptions(),
    );

    const sent = lastRequest(fake);
    expect(sent.path).toBe('/v1/images/edits');
    expect(sent.headers.authorization).toBe('Bearer sk-good');
    expect(sent.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const form = multipartOf(sent);
    expect(form.fields).toEqual([
      { name: 'model', value: 'gpt-image-1' },
      { name: 'prompt', value: 'add a hat' },
      { name: 'size', value: '1024x1024' },
    ]);
    expect(form.files.map(({ name, filename, contentType }) => ({ name, filename, contentType }))).toEqual([
      { name: 'image[]', filename: 'image-1.png', contentType: 'image/png' },
      { name: 'image[]', filename: 'second.png', contentType: 'image/png' },
      { name: 'mask', filename: 'mask.png', contentType: 'image/png' },
    ]);
    // The kit records bodies as UTF-8 text; the same decoding of the bytes we sent must match exactly.
    expect(form.files.map((file) => file.text)).toEqual(
      [first, second, mask].map((bytes) => bytes.toString('utf8')),
    );

    expect(await firstPixel(result.images[0]!.data)).toEqual(colourOf('add a hat'));
    expect(result.usage).toEqual({ inputTokens: 3 + 2 * 194, outputTokens: 1056 });
  });

  it('uses the single `image` field for dall-e-2 and refuses what DALL·E cannot edit before calling', async () => {
    const source = { data: await fakeImage('one', 32, 32), mediaType: 'image/png' };
    await image.generate(request({ model: 'dall-e-2', inputImages: [source] }), mediaOptions());
    const form = multipartOf(lastRequest(fake));
    expect(form.files.map((file) => file.name)).toEqual(['image']);
    expect(form.fields).toContainEqual({ name: 'response_format', value: 'b64_json' });

    const before = fake.requests.length;
    await expect(
      image.generate(request({ model: 'dall-e-2', inputImages: [source, source] }), mediaOptions()),
    ).rejects.toMatchObject({ status: 400, param: 'image' });
    await expect(
      image.generate(request({ model: 'dall-e-3', inputImages: [source] }), mediaOptions()),
    ).rejects.toMatchObject({ status: 400, param: 'model' });
    await expect(image.generate(request({ mask: source }), mediaOptions())).rejects.toBeInstanceOf(
      InvalidRequestError,
    );
    expect(fake.requests.length).toBe(before);
  });
});
