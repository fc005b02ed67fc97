import type { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpeechCapability, TranscriptionCapability } from '../../../../../src/providers/media-spec.js';
import { countWords } from '../../../../fakes/fake-behaviour.js';
import { fakeAudio, probeMedia } from '../../../../fakes/fake-media-bytes.js';
import type { FakeUpstream } from '../../../../fakes/fake-server.js';
import { startFakeGemini } from '../../../../fakes/gemini-upstream.js';
import { geminiMediaProvider, lastRequest, mediaOptions, providerFailure } from './gemini-media-kit.js';

let fake: FakeUpstream;
let dispatcher: Agent;
let speech: SpeechCapability;
let transcription: TranscriptionCapability;

beforeAll(async () => {
  fake = await startFakeGemini();
  const built = geminiMediaProvider(fake);
  dispatcher = built.dispatcher;
  speech = built.provider.speech!;
  transcription = built.provider.transcription!;
});
afterAll(async () => {
  await dispatcher.close();
  await fake.close();
});

describe('Gemini speech (TTS)', () => {
  it('asks for AUDIO in the chosen voice and wraps the PCM answer as a real WAV', async () => {
    const result = await speech.synthesize(
      {
        model: 'gemini-2.5-flash-preview-tts',
        input: 'Have a wonderful day!',
        voice: 'Kore',
        format: 'wav',
        instructions: 'Say cheerfully',
        speed: 1.5,
      },
      mediaOptions(),
    );
    const sent = lastRequest(fake);
    expect(sent).toMatchObject({
      method: 'POST',
      path: '/v1beta/models/gemini-2.5-flash-preview-tts:generateContent',
    });
    expect(sent.headers['x-goog-api-key']).toBe('gemini-good');
    expect(sent.body).toEqual({
      contents: [{ role: 'user', parts: [{ text: 'Say cheerfully: Have a wonderful day!' }] }],
      generationConfig: {
        responseModalities: ['AUDIO'],
        speechConfig: { voiceConfig: { prebuiltVoiceConfig: { voiceName: 'Kore' } } },
      },
    });
    expect(result.mediaType).toBe('audio/wav');
    expect(result.warnings).toEqual(['speed is not supported by Gemini speech; say it in instructions.']);
    const probed = await probeMedia(result.audio, 'tts.wav');
    expect(probed.format.format_name).toBe('wav');
    expect(Number(probed.format.duration)).toBeCloseTo(1, 2);
    expect(probed.streams[0]).toMatchObject({ codec_name: 'pcm_s16le', sample_rate: '24000', channels: 1 });
  });

  it('hands raw PCM on as it came, and declares only the formats it makes', async () => {
    const result = await speech.synthesize(
      { model: 'gemini-2.5-flash-preview-tts', input: 'Hi', voice: 'Puck', format: 'pcm' },
      mediaOptions(),
    );
    expect(result).toMatchObject({ mediaType: 'audio/pcm;rate=24000' });
    expect(result.audio.equals(await fakeAudio('pcm'))).toBe(true);
    expect(speech.formats).toEqual(['wav', 'pcm']);
    await expect(
      speech.synthesize(
        { model: 'gemini-2.5-flash-preview-tts', input: 'Hi', voice: 'Puck', format: 'mp3' },
        mediaOptions(),
      ),
    ).rejects.toMatchObject({ status: 400, param: 'response_format' });
  });

  it('passes an unknown voice back as a client error', async () => {
    const error = await providerFailure(
      speech.synthesize(
        { model: 'gemini-2.5-flash-preview-tts', input: 'Hi', voice: 'alloy', format: 'wav' },
        mediaOptions(),
      ),
    );
    expect(error).toMatchObject({ kind: 'invalid_request', status: 400, retryable: false });
  });
});

describe('Gemini transcription', () => {
  it('sends the audio inline with a verbatim prompt and a language hint', async () => {
    const audio = await fakeAudio('wav');
    const result = await transcription.transcribe(
      {
        model: 'gemini-2.5-flash',
        audio: { data: audio, mediaType: 'audio/wav' },
        language: 'fr',
        prompt: 'Atelier',
        temperature: 0,
      },
      mediaOptions(),
    );
    const prompt = [
      'Transcribe this audio verbatim. Reply with the transcript only, no commentary.',
      'The speech is in the language with code "fr".',
      'Context (names and terms that may appear): Atelier',
    ].join('\n');
    const sent = lastRequest(fake);
    expect(sent).toMatchObject({ method: 'POST', path: '/v1beta/models/gemini-2.5-flash:generateContent' });
    expect(sent.body).toEqual({
      contents: [
        {
          role: 'user',
          parts: [
            { text: prompt },
            { inlineData: { mimeType: 'audio/wav', data: audio.toString('base64') } },
          ],
        },
      ],
      generationConfig: { temperature: 0 },
    });
    expect(result).toEqual({
      text: 'Fake transcript of 1.00 s of audio/wav',
      language: 'fr',
      // The fake counts prompt words, plus 32 tokens per second of audio as Gemini does.
      usage: { inputTokens: countWords(prompt) + 32, outputTokens: 7 },
    });
  });

  it('refuses audio too large to send inline with a 413', async () => {
    const before = fake.requests.length;
    await expect(
      transcription.transcribe(
        {
          model: 'gemini-2.5-flash',
          audio: { data: Buffer.alloc(16 * 1024 * 1024), mediaType: 'audio/wav' },
        },
        mediaOptions(),
      ),
    ).rejects.toMatchObject({ status: 413, kind: 'payload_too_large' });
    expect(fake.requests.length).toBe(before);
  });
});
