/** Choosing a blob store driver from configuration. */
import { fileURLToPath } from 'node:url';
import type { BlobStore } from './blob-store.js';
import { FsBlobStore } from './fs-blob-store.js';
import type { S3BlobStoreOptions } from './s3-blob-store.js';

export type BlobStoreConfig = { kind: 'fs'; root: string } | ({ kind: 's3' } & S3BlobStoreOptions);

/** The S3 driver (and the AWS SDK behind it) is loaded only when a bucket is configured. */
export async function createBlobStore(config: BlobStoreConfig): Promise<BlobStore> {
  if (config.kind === 'fs') return new FsBlobStore(config.root);
  const { kind: _kind, ...options } = config;
  const { S3BlobStore } = await import('./s3-blob-store.js');
  return new S3BlobStore(options);
}

/**
 * A blob store from one URL (config key `blob_store_url`), with S3 credentials given separately so the URL
 * itself holds no secret:
 *
 *   file:///var/lib/atelier/blobs
 *   s3://BUCKET[/PREFIX][?endpoint=URL][&region=REGION][&force_path_style=true|false]
 *
 * `endpoint` points at an S3-compatible server (MinIO, R2, s3rver …); without it the store talks to AWS.
 * `region` defaults to us-east-1; `force_path_style` defaults to true when an endpoint is given (what
 * self-hosted servers expect) and false otherwise.
 */
export function createBlobStoreFromUrl(
  url: string,
  credentials: { accessKeyId?: string; secretAccessKey?: string } = {},
): Promise<BlobStore> {
  return createBlobStore(blobStoreConfigFromUrl(url, credentials));
}

export function blobStoreConfigFromUrl(
  url: string,
  credentials: { accessKeyId?: string; secretAccessKey?: string },
): BlobStoreConfig {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`blob_store_url: '${url}' is not a URL (expected file:///path or s3://bucket/prefix).`);
  }
  if (parsed.protocol === 'file:') return { kind: 'fs', root: fileURLToPath(parsed) };
  if (parsed.protocol !== 's3:') {
    throw new Error(`blob_store_url: unsupported scheme '${parsed.protocol}' (expected file: or s3:).`);
  }
  if (!parsed.hostname) throw new Error('blob_store_url: the bucket name is missing (s3://BUCKET/prefix).');
  if (!credentials.accessKeyId || !credentials.secretAccessKey) {
    throw new Error('blob_store_url: an s3:// store needs s3_access_key_id and s3_secret_access_key.');
  }
  const endpoint = parsed.searchParams.get('endpoint') ?? undefined;
  const pathStyle = parsed.searchParams.get('force_path_style');
  if (pathStyle !== null && pathStyle !== 'true' && pathStyle !== 'false') {
    throw new Error(`blob_store_url: force_path_style must be true or false, not '${pathStyle}'.`);
  }
  const prefix = decodeURIComponent(parsed.pathname).replace(/^\/+|\/+$/g, '');
  return {
    kind: 's3',
    bucket: parsed.hostname,
    endpoint,
    region: parsed.searchParams.get('region') ?? 'us-east-1',
    forcePathStyle: pathStyle === null ? endpoint !== undefined : pathStyle === 'true',
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    prefix: prefix || undefined,
  };
}
