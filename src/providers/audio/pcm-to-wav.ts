/**
 * Raw little-endian PCM → a WAV file (RIFF header + data). Vendors that stream PCM (Gemini TTS, OpenAI's
 * `pcm` format) give bytes no player can open; a 44-byte header makes them a file anyone can use.
 */
export interface PcmLayout {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
}

const HEADER_BYTES = 44;

export function pcmToWav(pcm: Buffer, layout: PcmLayout): Buffer {
  const { sampleRate, channels, bitsPerSample } = layout;
  const blockAlign = (channels * bitsPerSample) / 8;
  // A trailing partial frame would make the data chunk lie about its sample count.
  const dataBytes = pcm.length - (pcm.length % blockAlign);
  const header = Buffer.alloc(HEADER_BYTES);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(HEADER_BYTES - 8 + dataBytes, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // size of the PCM fmt chunk
  header.writeUInt16LE(1, 20); // format tag 1 = integer PCM
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(bitsPerSample, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return Buffer.concat([header, pcm.subarray(0, dataBytes)]);
}

/** Seconds of sound in a PCM buffer of the given layout. */
export function pcmSeconds(byteLength: number, layout: PcmLayout): number {
  return byteLength / ((layout.sampleRate * layout.channels * layout.bitsPerSample) / 8);
}
