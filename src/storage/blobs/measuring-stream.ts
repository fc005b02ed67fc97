/**
 * A pass-through that hashes (SHA-256) and counts the bytes of an upload as they go by, and fails the
 * stream the moment more than `maxBytes` arrive — so a too-large upload is stopped early, not after it has
 * been written out in full.
 */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { payloadTooLargeError } from './blob-errors.js';
import type { StoredBlob } from './blob-store.js';

export class MeasuringStream extends Transform {
  private readonly hash = createHash('sha256');
  private bytes = 0;

  constructor(private readonly maxBytes = Number.POSITIVE_INFINITY) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      callback(payloadTooLargeError(this.maxBytes));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  /** The size and digest; call once the stream has ended. */
  result(): StoredBlob {
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }
}
