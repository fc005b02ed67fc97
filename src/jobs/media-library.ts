/**
 * What job handlers need from the file library: read an input file's bytes, store an output. A narrow
 * interface so handlers do not depend on how files are kept.
 */
import type { Readable } from 'node:stream';
import type { BinaryInput } from '../providers/media-spec.js';

export interface StoredOutput {
  id: string;
  object: 'file';
  filename: string;
  mime_type: string;
  bytes: number;
  url: string;
}

export interface MediaLibrary {
  /** The bytes of a library file the caller may use (an upload, another job's output). */
  read(fileId: string, apiKeyId: string | null): Promise<BinaryInput>;
  /** Store an output (of a job, when `jobId` is set) with its provenance (prompt, model, usage …). */
  store(input: {
    body: Readable | Buffer;
    filename: string;
    jobId: string | null;
    apiKeyId: string | null;
    metadata: Record<string, unknown>;
  }): Promise<StoredOutput>;
  /** Keep an input that arrived inline (a data: URL, a chat image) as a library file for a job to use. */
  storeUpload(input: BinaryInput & { filename: string; apiKeyId: string | null }): Promise<StoredOutput>;
}
