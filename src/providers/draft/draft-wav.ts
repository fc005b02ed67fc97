/**
 * A WAV written to a pipe cannot seek back to fill in its sizes, so espeak-ng's header claims ~2 GB of
 * sound. Re-wrapping the samples gives a file whose header tells the truth, which strict players need.
 */
import { pcmToWav, type PcmLayout } from '../audio/index.js';

export function wavWithTrueSizes(streamed: Buffer): Buffer {
  if (streamed.toString('ascii', 0, 4) !== 'RIFF' || streamed.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('espeak-ng did not write a WAV file');
  }
  let layout: PcmLayout | undefined;
  let offset = 12;
  while (offset + 8 <= streamed.length) {
    const chunk = streamed.toString('ascii', offset, offset + 4);
    const size = streamed.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (chunk === 'fmt ') {
      layout = {
        channels: streamed.readUInt16LE(body + 2),
        sampleRate: streamed.readUInt32LE(body + 4),
        bitsPerSample: streamed.readUInt16LE(body + 14),
      };
    } else if (chunk === 'data' && layout) {
      // The data chunk runs to the end of what was written, whatever its size field says.
      return pcmToWav(streamed.subarray(body), layout);
    }
    offset = body + size + (size % 2);
  }
  throw new Error('espeak-ng wrote a WAV file without format or samples');
}
