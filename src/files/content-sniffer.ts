/**
 * Watches an upload go by without holding it: keeps the first bytes (enough for magic-number detection),
 * checks the whole stream is valid UTF-8 without NUL bytes (so it may be served as text), and remembers the
 * last non-whitespace byte (so a JSON document can be told by how it opens and closes).
 */
import { Transform, type TransformCallback } from 'node:stream';

/** What file-type needs to recognise every format it knows. */
export const sniffedHeadBytes = 4100;

export interface ContentObservation {
  head: Buffer;
  bytes: number;
  /** Every byte seen was valid UTF-8 and none was NUL. */
  text: boolean;
  /** The last byte that is not space, tab, CR or LF. */
  lastSignificantByte: number | undefined;
}

const whitespace = new Set([0x20, 0x09, 0x0a, 0x0d]);

export class ContentSniffer extends Transform {
  private readonly headChunks: Buffer[] = [];
  private headLength = 0;
  private bytes = 0;
  private text = true;
  private lastSignificantByte: number | undefined;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.headLength < sniffedHeadBytes) {
      const part = chunk.subarray(0, sniffedHeadBytes - this.headLength);
      this.headChunks.push(part);
      this.headLength += part.length;
    }
    if (this.text) this.observeText(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.text) {
      try {
        this.decoder.decode(); // a multi-byte sequence cut off at the very end is not text
      } catch {
        this.text = false;
      }
    }
    callback();
  }

  /** What was seen; complete once the stream has ended. */
  observation(): ContentObservation {
    return {
      head: Buffer.concat(this.headChunks, this.headLength),
      bytes: this.bytes,
      text: this.text,
      lastSignificantByte: this.lastSignificantByte,
    };
  }

  private observeText(chunk: Buffer): void {
    try {
      this.decoder.decode(chunk, { stream: true });
    } catch {
      this.text = false;
      return;
    }
    if (chunk.includes(0)) {
      this.text = false;
      return;
    }
    for (let index = chunk.length - 1; index >= 0; index -= 1) {
      if (!whitespace.has(chunk[index]!)) {
        this.lastSignificantByte = chunk[index];
        return;
      }
    }
  }
}
