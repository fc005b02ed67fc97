/**
 * Blobs as files under one root directory. A put streams into `<root>/.tmp/<random>`, fsyncs, then renames
 * into place: rename within one file system is atomic, so a reader sees either no file or the whole file.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { missingBlobError, rangeNotSatisfiableError } from './blob-errors.js';
import { assertValidBlobKey } from './blob-key.js';
import type { BlobStore, ByteRange, StoredBlob } from './blob-store.js';
import { MeasuringStream } from './measuring-stream.js';

export class FsBlobStore implements BlobStore {
  readonly kind = 'fs' as const;
  private readonly temporaryDirectory: string;

  constructor(private readonly rootDirectory: string) {
    this.temporaryDirectory = join(rootDirectory, '.tmp');
  }

  async put(
    key: string,
    body: Readable,
    options: { contentType?: string; maxBytes?: number } = {},
  ): Promise<StoredBlob> {
    const target = this.pathFor(key);
    await mkdir(this.temporaryDirectory, { recursive: true });
    const temporary = join(this.temporaryDirectory, randomUUID());
    const measuring = new MeasuringStream(options.maxBytes);
    try {
      // `flush` fsyncs before closing: durable before visible, so a crash right after the rename cannot
      // leave a renamed but empty file.
      await pipeline(body, measuring, createWriteStream(temporary, { flags: 'wx', flush: true }));
      await mkdir(dirname(target), { recursive: true });
      await rename(temporary, target);
      return measuring.result();
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    // Opening first turns a missing file into NotFoundError now rather than a stream error later, and the
    // open descriptor keeps reading the same bytes even if the key is deleted meanwhile.
    const handle = await this.openExisting(key);
    if (!range) return handle.createReadStream();
    const { size } = await handle.stat();
    if (range.start >= size) {
      await handle.close();
      throw rangeNotSatisfiableError(key);
    }
    return handle.createReadStream({ start: range.start, end: range.end });
  }

  async stat(key: string): Promise<{ bytes: number } | undefined> {
    try {
      const facts = await stat(this.pathFor(key));
      return facts.isFile() ? { bytes: facts.size } : undefined;
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.pathFor(key));
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
  }

  async localPath(key: string): Promise<string> {
    if (!(await this.stat(key))) throw missingBlobError(key);
    return this.pathFor(key);
  }

  private pathFor(key: string): string {
    assertValidBlobKey(key);
    return join(this.rootDirectory, key);
  }

  private async openExisting(key: string): Promise<FileHandle> {
    try {
      return await open(this.pathFor(key), 'r');
    } catch (error) {
      if (isMissing(error)) throw missingBlobError(key);
      throw error;
    }
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
