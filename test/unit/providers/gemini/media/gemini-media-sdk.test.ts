/**
 * The official @google/genai client against the fake's media endpoints: Imagen, Gemini image and TTS
 * models, and Veo's long-running operations, proving the fake speaks the protocol the SDK expects.
 */
import { GoogleGenAI, Modality } from '@google/genai';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeMedia } from '../../../../fakes/fake-media-bytes.js';
import type { FakeUpstream } from '../../../../fakes/fake-server.js';
import { startFakeGemini } from '../../../../fakes/gemini-upstream.js';

let fake: FakeUpstream;
let ai: GoogleGenAI;

beforeAll(async () => {
  fake = await startFakeGemini();
  ai = new GoogleGenAI({ apiKey: 'sdk-key', httpOptions: { baseUrl: fake.url } });
});
afterAll(() => fake.close());

describe('@google/genai against the fake Gemini media endpoints', () => {
  it('generateImages (Imagen)', async () => {
    const response = await ai.models.generateImages({
      model: 'imagen-4.0-generate-001',
      prompt: 'a robot',
      config: { numberOfImages: 2, aspectRatio: '3:4' },
    });
    expect(response.generatedImages).toHaveLength(2);
    const bytes = Buffer.from(response.generatedImages![0]!.image!.imageBytes!, 'base64');
    expect(await sharp(bytes).metadata()).toMatchObject({ format: 'png', width: 896, height: 1280 });
  });

  it('generateContent with an image model and with a TTS model', async () => {
    const image = await ai.models.generateContent({
      model: 'gemini-2.5-flash-image',
      contents: 'a banana',
      config: { responseModalities: [Modality.TEXT, Modality.IMAGE], imageConfig: { aspectRatio: '4:3' } },
    });
    const inline = image.candidates![0]!.content!.parts!.find((part) => part.inlineData)!.inlineData!;
    expect(await sharp(Buffer.from(inline.data!, 'base64')).metadata()).toMatchObject({
      width: 1184,
      height: 864,
    });

    const speech = await ai.models.generateContent({
      model: 'gemini-2.5-flash-preview-tts',
      contents: 'Say hi',
      config: {
        responseModalities: [Modality.AUDIO],
        speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: 'Kore' } } },
      },
    });
    expect(speech.data).toBeDefined();
    expect(speech.candidates![0]!.content!.parts![0]!.inlineData!.mimeType).toBe(
      'audio/L16;codec=pcm;rate=24000',
    );
  });

  it('generateVideos, getVideosOperation until done, then download the file', async () => {
    let operation = await ai.models.generateVideos({
      model: 'veo-3.0-generate-001',
      prompt: 'a sailboat',
      config: { aspectRatio: '16:9', durationSeconds: 8 },
    });
    for (let poll = 0; poll < 5 && !operation.done; poll++) {
      operation = await ai.operations.getVideosOperation({ operation });
    }
    expect(operation.done).toBe(true);
    const uri = operation.response!.generatedVideos![0]!.video!.uri!;
    expect(uri).toMatch(/\/v1beta\/files\/[0-9a-f]+:download\?alt=media$/);
    // The documented way to fetch it: the URI with the key, following the redirect.
    const response = await fetch(uri, { headers: { 'x-goog-api-key': 'sdk-key' } });
    const probed = await probeMedia(Buffer.from(await response.arrayBuffer()), 'sdk-veo.mp4');
    expect(probed.streams[0]).toMatchObject({ codec_name: 'h264' });
  });
});
