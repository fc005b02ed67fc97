import sharp from 'sharp';
import type { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../../../src/errors/index.js';
import type { ImageCapability } from '../../../../../src/providers/media-spec.js';
import { colourOf, fakeImage } from '../../../../fakes/fake-media-bytes.js';
import type { FakeUpstream } from '../../../../fakes/fake-server.js';
import { startFakeGemini } from '../../../../fakes/gemini-upstream.js';
import { geminiMediaProvider, lastRequest, mediaOptions, providerFailure } from './gemini-media-kit.js';

let fake: FakeUpstream;
let dispatcher: Agent;
let image: ImageCapability;

beforeAll(async () => {
  fake = await startFakeGemini();
  const built = geminiMediaProvider(fake);
  dispatcher = built.dispatcher;
  image = built.provider.image!;
});
afterAll(async () => {
  await dispatcher.close();
  await fake.close();
});

async function firstPixel(data: Buffer) {
  const { data: pixels } = await sharp(data).raw().toBuffer({ resolveWithObject: true });
  return { r: pixels[0], g: pixels[1], b: pixels[2] };
}

describe('Gemini images: Imagen (:predict)', () => {
  it('sends instances and parameters, and decodes every prediction', async () => {
    const result = await image.generate(
      {
        model: 'imagen-4.0-generate-001',
        prompt: 'a lighthouse at dusk',
        count: 2,
        size: { width: 1920, height: 1080 },
        negativePrompt: 'people',
        seed: 42,
        quality: 'hd',
        providerOptions: { gemini: { personGeneration: 'dont_allow' } },
      },
      mediaOptions(),
    );
    const sent = lastRequest(fake);
    expect(sent).toMatchObject({ method: 'POST', path: '/v1beta/models/imagen-4.0-generate-001:predict' });
    expect(sent.headers['x-goog-api-key']).toBe('gemini-good');
    expect(sent.body).toEqual({
      instances: [{ prompt: 'a lighthouse at dusk' }],
      parameters: {
        sampleCount: 2,
        aspectRatio: '16:9',
        negativePrompt: 'people',
        seed: 42,
        personGeneration: 'dont_allow',
      },
    });
    expect(result.images).toHaveLength(2);
    expect(result.images[0]!.mediaType).toBe('image/png');
    expect(await sharp(result.images[0]!.data).metadata()).toMatchObject({
      format: 'png',
      width: 1408,
      height: 768,
    });
    expect(await firstPixel(result.images[1]!.data)).toEqual(colourOf('a lighthouse at dusk'));
    expect(result.warnings).toEqual(['quality is not supported by Imagen and was ignored.']);
  });

  it('reports a filtered prompt as content_policy, and refuses edits with a clear 400', async () => {
    const error = await providerFailure(
      image.generate({ model: 'imagen-4.0-generate-001', prompt: 'forbidden scene' }, mediaOptions()),
    );
    expect(error).toMatchObject({ kind: 'content_policy', status: 400, retryable: false });

    const before = fake.requests.length;
    const edit = await image
      .generate(
        {
          model: 'imagen-4.0-generate-001',
          prompt: 'x',
          inputImages: [{ data: Buffer.from('x'), mediaType: 'image/png' }],
        },
        mediaOptions(),
      )
      .catch((caught: unknown) => caught);
    expect(edit).toBeInstanceOf(InvalidRequestError);
    expect(edit).toMatchObject({ param: 'image' });
    expect(fake.requests.length).toBe(before);
  });

  it('names a bad providerOptions.gemini value', async () => {
    await expect(
      image.generate(
        {
          model: 'imagen-4.0-generate-001',
          prompt: 'x',
          providerOptions: { gemini: { personGeneration: 'everyone' } },
        },
        mediaOptions(),
      ),
    ).rejects.toMatchObject({ status: 400, param: 'providerOptions.gemini.personGeneration' });
  });
});

describe('Gemini images: image models (:generateContent)', () => {
  it('asks for TEXT and IMAGE with the nearest aspect ratio and returns the inline image with usage', async () => {
    const result = await image.generate(
      { model: 'gemini-2.5-flash-image', prompt: 'a teapot', size: { width: 1000, height: 1000 }, seed: 9 },
      mediaOptions(),
    );
    const sent = lastRequest(fake);
    expect(sent).toMatchObject({
      method: 'POST',
      path: '/v1beta/models/gemini-2.5-flash-image:generateContent',
    });
    expect(sent.body).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'a teapot' }] }],
      generationConfig: {
        responseModalities: ['TEXT', 'IMAGE'],
        imageConfig: { aspectRatio: '1:1' },
        seed: 9,
      },
    });
    expect(result.images).toHaveLength(1);
    expect(await sharp(result.images[0]!.data).metadata()).toMatchObject({
      format: 'png',
      width: 1024,
      height: 1024,
    });
    expect(result.usage).toEqual({ inputTokens: 2, outputTokens: 1290 });
    expect(result.metadata).toEqual({ text: 'Here is your image.' });
    expect(result.warnings).toBeUndefined();
  });

  it('edits: sends the source images as inlineData before the prompt, one call per requested image', async () => {
    const source = await fakeImage('source', 48, 32);
    const before = fake.requests.length;
    const result = await image.generate(
      {
        model: 'gemini-2.5-flash-image',
        prompt: 'make it blue',
        count: 2,
        size: { width: 1600, height: 900 },
        inputImages: [{ data: source, mediaType: 'image/png' }],
      },
      mediaOptions('ya29.token', 'oauth'),
    );
    const calls = fake.requests.slice(before);
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      expect(call.headers.authorization).toBe('Bearer ya29.token');
      expect(call.headers['x-goog-api-key']).toBeUndefined();
      expect(call.body).toEqual({
        contents: [
          {
            role: 'user',
            parts: [
              { inlineData: { mimeType: 'image/png', data: source.toString('base64') } },
              { text: 'make it blue' },
            ],
          },
        ],
        generationConfig: { responseModalities: ['TEXT', 'IMAGE'], imageConfig: { aspectRatio: '16:9' } },
      });
    }
    expect(result.images).toHaveLength(2);
    expect(await sharp(result.images[0]!.data).metadata()).toMatchObject({ width: 1344, height: 768 });
    expect(result.usage).toEqual({ inputTokens: 2 * (3 + 258), outputTokens: 2 * 1290 });
    expect(result.metadata).toEqual({ text: 'Here is the edited image.\nHere is the edited image.' });
  });

  it('turns IMAGE_SAFETY into content_policy and refuses a mask before calling', async () => {
    const error = await providerFailure(
      image.generate({ model: 'gemini-2.5-flash-image', prompt: 'forbidden thing' }, mediaOptions()),
    );
    expect(error).toMatchObject({ kind: 'content_policy', code: 'IMAGE_SAFETY', retryable: false });

    const before = fake.requests.length;
    const png = { data: Buffer.from('x'), mediaType: 'image/png' };
    await expect(
      image.generate(
        { model: 'gemini-2.5-flash-image', prompt: 'x', inputImages: [png], mask: png },
        mediaOptions(),
      ),
    ).rejects.toMatchObject({ status: 400, param: 'mask' });
    expect(fake.requests.length).toBe(before);
  });
});
