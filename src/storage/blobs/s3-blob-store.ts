/**
 * Blobs as objects in an S3-compatible bucket (AWS S3, MinIO, R2, s3rver …). A PutObject or a completed
 * multipart upload is atomic per object, so a reader sees either nothing or the whole object; an upload that
 * fails or grows past `maxBytes` is abandoned before it completes and never becomes visible.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline as pipelineWithCallback, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { missingBlobError, rangeNotSatisfiableError } from './blob-errors.js';
import { assertValidBlobKey } from './blob-key.js';
import type { BlobStore, ByteRange, StoredBlob } from './blob-store.js';
import { MeasuringStream } from './measuring-stream.js';

export interface S3BlobStoreOptions {
  bucket: string;
  /** For S3-compatible servers; AWS itself when absent. */
  endpoint?: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** `https://host/bucket/key` rather than `https://bucket.host/key`; most self-hosted servers need it. */
  forcePathStyle: boolean;
  /** A folder inside the bucket under which every key lives. */
  prefix?: string;
}

// The multipart uploader buffers whole parts in memory: S3's minimum part size, two parts in flight, bounds
// one upload to about 10 MiB.
const partSize = 5 * 1024 * 1024;
const partsInFlight = 2;

export class S3BlobStore implements BlobStore {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(options: S3BlobStoreOptions) {
    this.bucket = options.bucket;
    this.prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      // The SDK's default CRC checksums on every request are not understood by many S3-compatible servers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(
    key: string,
    body: Readable,
    options: { contentType?: string; maxBytes?: number } = {},
  ): Promise<StoredBlob> {
    const objectKey = this.objectKey(key);
    const measuring = new MeasuringStream(options.maxBytes);
    // Failures reach the upload through `measuring`; the callback only has to exist.
    pipelineWithCallback(body, measuring, () => undefined);
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: objectKey, Body: measuring, ContentType: options.contentType },
      partSize,
      queueSize: partsInFlight,
    });
    try {
      await upload.done();
    } catch (error) {
      // The uploader may replace the stream's error with one from aborting the multipart upload; the
      // stream's own (too large, client went away) is the one that explains what happened.
      throw measuring.errored ?? error;
    }
    return measuring.result();
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    try {
      const response = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          Range: range ? `bytes=${range.start}-${range.end ?? ''}` : undefined,
        }),
      );
      return response.Body as Readable;
    } catch (error) {
      if (statusOf(error) === 404) throw missingBlobError(key);
      if (statusOf(error) === 416) throw rangeNotSatisfiableError(key);
      throw error;
    }
  }

  async stat(key: string): Promise<{ bytes: number } | undefined> {
    try {
      const response = await this.client.send(
        new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }),
      );
      return { bytes: response.ContentLength ?? 0 };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  async localPath(key: string, directory: string): Promise<string> {
    const target = join(directory, key);
    await mkdir(dirname(target), { recursive: true });
    // Download beside the target, then rename: a half-downloaded file is never mistaken for the object.
    const partial = `${target}.${randomUUID()}.part`;
    try {
      await pipeline(await this.get(key), createWriteStream(partial));
      await rename(partial, target);
      return target;
    } catch (error) {
      await unlink(partial).catch(() => undefined);
      throw error;
    }
  }

  /** Release the client's pooled connections. */
  close(): void {
    this.client.destroy();
  }

  private objectKey(key: string): string {
    assertValidBlobKey(key);
    return this.prefix ? `${this.prefix}/${key}` : key;
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}
