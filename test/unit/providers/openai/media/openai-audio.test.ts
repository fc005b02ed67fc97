import type { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpeechCapability, TranscriptionCapability } from '../../../../../src/providers/media-spec.js';
import { fakeAudio, probeMedia } from '../../../../fakes/fake-media-bytes.js';
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
let speech: SpeechCapability;
let transcription: TranscriptionCapability;

beforeAll(async () => {
  fake = await startFakeOpenAI();
  const built = openAIMediaProvider(fake);
  dispatcher = built.dispatcher;
  speech = built.provider.speech!;
  transcription = built.provider.transcription!;
});
afterAll(async () => {
  await dispatcher.close();
  await fake.close();
});

describe('OpenAI speech', () => {
  it('sends the request as JSON and returns real WAV audio', async () => {
    const result = await speech.synthesize(
      {
        model: 'gpt-4o-mini-tts',
        input: 'Hello from Atelier',
        voice: 'coral',
        format: 'wav',
        speed: 1.25,
        instructions: 'Speak cheerfully.',
      },
      mediaOptions(),
    );
    const sent = lastRequest(fake);
    expect(sent).toMatchObject({ method: 'POST', path: '/v1/audio/speech' });
    expect(sent.headers.authorization).toBe('Bearer sk-good');
    expect(sent.body).toEqual({
      model: 'gpt-4o-mini-tts',
      input: 'Hello from Atelier',
      voice: 'coral',
      response_format: 'wav',
      speed: 1.25,
      instructions: 'Speak cheerfully.',
    });
    expect(result.mediaType).toBe('audio/wav');
    expect(result.warnings).toBeUndefined();
    const probed = await probeMedia(result.audio, 'speech.wav');
    expect(probed.format.format_name).toBe('wav');
    expect(probed.streams[0]).toMatchObject({
      codec_type: 'audio',
      codec_name: 'pcm_s16le',
      sample_rate: '24000',
    });
  });

  it.each([
    ['mp3', 'audio/mpeg', 'mp3'],
    ['opus', 'audio/ogg', 'opus'],
    ['flac', 'audio/flac', 'flac'],
  ] as const)('returns %s as %s', async (format, mediaType, codec) => {
    const result = await speech.synthesize(
      { model: 'tts-1', input: 'Hi', voice: 'alloy', format },
      mediaOptions(),
    );
    expect(result.mediaType).toBe(mediaType);
    expect((await probeMedia(result.audio, `speech.${format}`)).streams[0]!.codec_name).toBe(codec);
  });

  it('keeps instructions away from tts-1, with a warning', async () => {
    const result = await speech.synthesize(
      { model: 'tts-1-hd', input: 'Hi', voice: 'alloy', format: 'pcm', instructions: 'Whisper.' },
      mediaOptions(),
    );
    expect(lastRequest(fake).body).not.toHaveProperty('instructions');
    expect(result.warnings).toEqual(['tts-1-hd does not take instructions; they were ignored.']);
    // One second of 24 kHz 16-bit mono.
    expect(result.audio.length).toBe(48_000);
    expect(result.mediaType).toBe('audio/pcm');
  });

  it('passes an unknown voice back as the client error it is', async () => {
    const error = await providerFailure(
      speech.synthesize({ model: 'tts-1', input: 'Hi', voice: 'nobody', format: 'mp3' }, mediaOptions()),
    );
    expect(error).toMatchObject({ kind: 'invalid_request', status: 400, param: 'voice', retryable: false });
  });
});

describe('OpenAI transcription', () => {
  it('asks whisper-1 for verbose_json and returns language, duration and segments', async () => {
    const audio = await fakeAudio('wav');
    const result = await transcription.transcribe(
      {
        model: 'whisper-1',
        audio: { data: audio, mediaType: 'audio/wav' },
        language: 'fr',
        prompt: 'Atelier',
        temperature: 0.2,
      },
      mediaOptions(),
    );
    const sent = lastRequest(fake);
    expect(sent).toMatchObject({ method: 'POST', path: '/v1/audio/transcriptions' });
    expect(sent.headers.authorization).toBe('Bearer sk-good');
    const form = multipartOf(sent);
    expect(form.files).toEqual([
      { name: 'file', filename: 'audio.wav', contentType: 'audio/wav', text: audio.toString('utf8') },
    ]);
    expect(form.fields).toEqual([
      { name: 'model', value: 'whisper-1' },
      { name: 'language', value: 'fr' },
      { name: 'prompt', value: 'Atelier' },
      { name: 'temperature', value: '0.2' },
      { name: 'response_format', value: 'verbose_json' },
    ]);
    expect(result).toEqual({
      text: 'Fake transcript of audio.wav (prompted: Atelier)',
      language: 'french',
      durationSeconds: 1,
      segments: [{ start: 0, end: 1, text: ' Fake transcript of audio.wav (prompted: Atelier)' }],
      usage: { seconds: 1 },
    });
  });

  it('asks the gpt-4o transcribe models for json, naming the upload by its type', async () => {
    const audio = await fakeAudio('mp3');
    const result = await transcription.transcribe(
      { model: 'gpt-4o-transcribe', audio: { data: audio, mediaType: 'audio/mpeg' } },
      mediaOptions(),
    );
    const form = multipartOf(lastRequest(fake));
    expect(form.files[0]).toMatchObject({ filename: 'audio.mp3', contentType: 'audio/mpeg' });
    expect(form.fields).toContainEqual({ name: 'response_format', value: 'json' });
    expect(result).toEqual({
      text: 'Fake transcript of audio.mp3',
      usage: { inputTokens: 50, outputTokens: 4 },
    });
  });
});
