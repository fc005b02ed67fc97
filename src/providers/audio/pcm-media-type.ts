/**
 * Reads the layout of raw PCM from its media type, as Gemini labels it: `audio/L16;codec=pcm;rate=24000`.
 * L16 is 16-bit samples; Google sends them little-endian, and mono unless `channels` says otherwise.
 */
import type { PcmLayout } from './pcm-to-wav.js';

export function pcmLayoutFromMediaType(mediaType: string): PcmLayout | undefined {
  const [essence = '', ...parameters] = mediaType.split(';').map((piece) => piece.trim());
  const type = essence.toLowerCase();
  const values = new Map(
    parameters.map((parameter) => {
      const [name = '', value = ''] = parameter.split('=');
      return [name.trim().toLowerCase(), value.trim()] as const;
    }),
  );
  if (type !== 'audio/l16' && type !== 'audio/pcm') return undefined;
  const sampleRate = Number(values.get('rate') ?? '24000');
  const channels = Number(values.get('channels') ?? '1');
  if (!Number.isInteger(sampleRate) || sampleRate <= 0 || !Number.isInteger(channels) || channels <= 0) {
    return undefined;
  }
  return { sampleRate, channels, bitsPerSample: 16 };
}
