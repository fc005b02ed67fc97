/** What is particular to the s3 driver and to choosing a driver: prefixes, signing, the URL form. */
import { Readable } from 'node:stream';
import { buffer as readAll } from 'node:stream/consumers';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blobStoreConfigFromUrl,
  createBlobStore,
  createBlobStoreFromUrl,
  FsBlobStore,
} from '../../../../src/storage/blobs/index.js';
import { S3BlobStore } from '../../../../src/storage/blobs/s3-blob-store.js';
import { startS3Server, type TestS3Server } from '../../../support/s3.js';

describe('S3BlobStore against s3rver', () => {
  let server: TestS3Server;

  beforeAll(async () => {
    server = await startS3Server();
  });
  afterAll(async () => server.close());

  const credentials = () => ({ accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey });

  it('keeps every object under its prefix, with its content type', async () => {
    const store = await createBlobStoreFromUrl(
      `s3://${server.bucket}/tenants/one/?endpoint=${encodeURIComponent(server.endpoint)}&region=eu-west-1`,
      credentials(),
    );
    expect(store).toBeInstanceOf(S3BlobStore);
    await store.put('files/2025/01/file-1', Readable.from([Buffer.from('{"a":1}')]), {
      contentType: 'application/json',
    });
    expect((await readAll(await store.get('files/2025/01/file-1'))).toString()).toBe('{"a":1}');

    const raw = new S3Client({
      region: 'eu-west-1',
      endpoint: server.endpoint,
      forcePathStyle: true,
      credentials: credentials(),
    });
    const listing = await raw.send(new ListObjectsV2Command({ Bucket: server.bucket }));
    expect(listing.Contents?.map((object) => object.Key)).toEqual(['tenants/one/files/2025/01/file-1']);
    raw.destroy();
    (store as S3BlobStore).close();
  });

  it('sends its credentials: an unknown access key is refused', async () => {
    const store = new S3BlobStore({
      bucket: server.bucket,
      endpoint: server.endpoint,
      region: 'us-east-1',
      accessKeyId: 'UNKNOWN',
      secretAccessKey: server.secretAccessKey,
      forcePathStyle: true,
    });
    await expect(store.put('x', Readable.from([Buffer.from('x')]))).rejects.toMatchObject({
      name: 'InvalidAccessKeyId',
    });
    store.close();
  });
});

describe('choosing a blob store', () => {
  it('builds the fs driver from a config or a file URL', async () => {
    expect(await createBlobStore({ kind: 'fs', root: '/tmp/blobs' })).toBeInstanceOf(FsBlobStore);
    expect(blobStoreConfigFromUrl('file:///var/lib/atelier/blobs', {})).toEqual({
      kind: 'fs',
      root: '/var/lib/atelier/blobs',
    });
  });

  it('reads bucket, prefix, endpoint, region and path style from an s3 URL', () => {
    const keys = { accessKeyId: 'AK', secretAccessKey: 'SK' };
    expect(
      blobStoreConfigFromUrl(
        's3://media/atelier/prod?endpoint=http://127.0.0.1:9000&region=eu-central-1',
        keys,
      ),
    ).toEqual({
      kind: 's3',
      bucket: 'media',
      prefix: 'atelier/prod',
      endpoint: 'http://127.0.0.1:9000',
      region: 'eu-central-1',
      forcePathStyle: true,
      accessKeyId: 'AK',
      secretAccessKey: 'SK',
    });
    expect(blobStoreConfigFromUrl('s3://media', keys)).toMatchObject({
      bucket: 'media',
      prefix: undefined,
      endpoint: undefined,
      region: 'us-east-1',
      forcePathStyle: false,
    });
    expect(
      blobStoreConfigFromUrl('s3://media?endpoint=https://minio.internal&force_path_style=false', keys),
    ).toMatchObject({ forcePathStyle: false });
  });

  it.each([
    ['not a url', {}, /is not a URL/],
    ['ftp://host/path', {}, /unsupported scheme 'ftp:'/],
    ['s3://bucket', {}, /needs s3_access_key_id and s3_secret_access_key/],
    [
      's3://bucket?force_path_style=yes',
      { accessKeyId: 'a', secretAccessKey: 'b' },
      /force_path_style must be/,
    ],
  ])('refuses %s', (url, keys, message) => {
    expect(() => blobStoreConfigFromUrl(url, keys)).toThrow(message);
  });
});
