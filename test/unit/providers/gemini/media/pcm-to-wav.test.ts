import { describe, expect, it } from 'vitest';
import { pcmLayoutFromMediaType, pcmSeconds, pcmToWav } from '../../../../../src/providers/audio/index.js';
import { fakeAudio, probeMedia } from '../../../../fakes/fake-media-bytes.js';

describe('pcmToWav', () => {
  it('makes a WAV that ffprobe reads with the right layout and length', async () => {
    const pcm = await fakeAudio('pcm');
    const layout = { sampleRate: 24_000, channels: 1, bitsPerSample: 16 };
    const wav = pcmToWav(pcm, layout);
    expect(wav.length).toBe(pcm.length + 44);
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
    const probed = await probeMedia(wav, 'made.wav');
    expect(probed.streams[0]).toMatchObject({ codec_name: 'pcm_s16le', sample_rate: '24000', channels: 1 });
    expect(Number(probed.format.duration)).toBeCloseTo(pcmSeconds(pcm.length, layout), 3);
  });

  it('drops a trailing partial frame rather than lie about the sample count', () => {
    const wav = pcmToWav(Buffer.alloc(7), { sampleRate: 8000, channels: 2, bitsPerSample: 16 });
    expect(wav.readUInt32LE(40)).toBe(4);
    expect(wav.length).toBe(48);
  });
});

describe('pcmLayoutFromMediaType', () => {
  it.each([
    ['audio/L16;codec=pcm;rate=24000', { sampleRate: 24_000, channels: 1, bitsPerSample: 16 }],
    ['audio/l16; rate=16000; channels=2', { sampleRate: 16_000, channels: 2, bitsPerSample: 16 }],
    ['audio/pcm', { sampleRate: 24_000, channels: 1, bitsPerSample: 16 }],
    ['audio/wav', undefined],
    ['audio/L16;rate=abc', undefined],
  ])('%s', (mediaType, layout) => {
    expect(pcmLayoutFromMediaType(mediaType)).toEqual(layout);
  });
});
