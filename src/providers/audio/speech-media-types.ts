/**
 * The media type of each speech output format, for vendors that do not label their audio (or label it
 * generically as application/octet-stream).
 */
import type { SpeechFormat } from '../media-spec.js';

export const speechMediaTypes: Record<SpeechFormat, string> = {
  mp3: 'audio/mpeg',
  // OpenAI's opus output is Opus in an Ogg container.
  opus: 'audio/ogg',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  // OpenAI and Gemini both produce 24 kHz 16-bit little-endian mono.
  pcm: 'audio/pcm;rate=24000',
};
