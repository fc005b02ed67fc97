/**
 * Where file bytes live: the local disk (embedded) or an S3-compatible bucket (scaled out). Writes are
 * atomic — an object is visible under its key only once complete — and keys are chosen by Atelier, never
 * by users.
 */
import type { Readable } from 'node:stream';

export interface ByteRange {
  /** First byte, inclusive. */
  start: number;
  /** Last byte, inclusive; the end of the object when absent. */
  end?: number;
}

export interface StoredBlob {
  bytes: number;
  sha256: string;
}

export interface BlobStore {
  readonly kind: 'fs' | 's3';
  /**
   * Stream `body` to `key`. Throws PayloadTooLargeError-style AtelierError (413) when more than `maxBytes`
   * arrive, leaving nothing behind.
   */
  put(
    key: string,
    body: Readable,
    options?: { contentType?: string; maxBytes?: number },
  ): Promise<StoredBlob>;
  /** A readable of the object or of a byte range of it; throws NotFoundError when absent. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  stat(key: string): Promise<{ bytes: number } | undefined>;
  delete(key: string): Promise<void>;
  /**
   * A local file path holding the object, for tools that need one (FFmpeg). The fs store returns its own
   * file; others download into `directory` and return that path.
   */
  localPath(key: string, directory: string): Promise<string>;
}
