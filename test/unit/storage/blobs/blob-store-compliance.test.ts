/** One suite, every blob store driver: fs on a temporary directory and s3 against s3rver. */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { buffer as readAll } from 'node:stream/consumers';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtelierError } from '../../../../src/errors/index.js';
import { FsBlobStore, type BlobStore } from '../../../../src/storage/blobs/index.js';
import { S3BlobStore } from '../../../../src/storage/blobs/s3-blob-store.js';
import { startS3Server } from '../../../support/s3.js';

interface Driver {
  store: BlobStore;
  /** Files the driver left in its scratch space (fs only). */
  leftovers(): string[];
  close(): Promise<void>;
}

async function fsDriver(): Promise<Driver> {
  const root = mkdtempSync(join(tmpdir(), 'atelier-blobs-'));
  return {
    store: new FsBlobStore(root),
    leftovers: () => {
      try {
        return readdirSync(join(root, '.tmp'));
      } catch {
        return [];
      }
    },
    close: async () => rmSync(root, { recursive: true, force: true }),
  };
}

async function s3Driver(): Promise<Driver> {
  const server = await startS3Server();
  const store = new S3BlobStore({
    bucket: server.bucket,
    endpoint: server.endpoint,
    region: 'us-east-1',
    accessKeyId: server.accessKeyId,
    secretAccessKey: server.secretAccessKey,
    forcePathStyle: true,
    prefix: 'compliance',
  });
  return {
    store,
    leftovers: () => [],
    close: async () => {
      store.close();
      await server.close();
    },
  };
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

async function expectAtelierError(promise: Promise<unknown>, status: number, kind: string) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AtelierError);
  expect(error).toMatchObject({ status, kind });
}

describe.each([
  ['fs', fsDriver],
  ['s3', s3Driver],
] as const)('%s blob store', (_name, makeDriver) => {
  let driver: Driver;
  let store: BlobStore;
  const scratch = mkdtempSync(join(tmpdir(), 'atelier-blob-scratch-'));

  beforeAll(async () => {
    driver = await makeDriver();
    store = driver.store;
  });
  afterAll(async () => {
    await driver.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('puts, stats, gets and deletes an object', async () => {
    const data = randomBytes(10_000);
    const stored = await store.put('a/b/round-trip.bin', Readable.from([data]), {
      contentType: 'application/octet-stream',
    });
    expect(stored).toEqual({ bytes: data.length, sha256: sha256(data) });
    expect(await store.stat('a/b/round-trip.bin')).toEqual({ bytes: data.length });
    expect((await readAll(await store.get('a/b/round-trip.bin'))).equals(data)).toBe(true);

    await store.delete('a/b/round-trip.bin');
    expect(await store.stat('a/b/round-trip.bin')).toBeUndefined();
    await expectAtelierError(store.get('a/b/round-trip.bin'), 404, 'not_found');
    await store.delete('a/b/round-trip.bin'); // deleting what is gone is not an error
  });

  it('stores an empty object', async () => {
    const stored = await store.put('empty', Readable.from([]));
    expect(stored).toEqual({ bytes: 0, sha256: sha256(Buffer.alloc(0)) });
    expect(await store.stat('empty')).toEqual({ bytes: 0 });
  });

  it('serves byte ranges: the first bytes, the middle and a suffix to the end', async () => {
    const data = randomBytes(4096);
    await store.put('ranges', Readable.from([data]));
    const read = async (start: number, end?: number) => readAll(await store.get('ranges', { start, end }));
    expect((await read(0, 9)).equals(data.subarray(0, 10))).toBe(true);
    expect((await read(1000, 1999)).equals(data.subarray(1000, 2000))).toBe(true);
    expect((await read(4000)).equals(data.subarray(4000))).toBe(true);
    expect((await read(4095, 4095)).equals(data.subarray(4095))).toBe(true);
    await expectAtelierError(store.get('ranges', { start: 4096 }), 416, 'invalid_request');
  });

  it('streams an object larger than one multipart part', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 123_456);
    // Many small chunks, as a network upload arrives.
    const chunks = Array.from({ length: Math.ceil(data.length / 65_536) }, (_, index) =>
      data.subarray(index * 65_536, (index + 1) * 65_536),
    );
    const stored = await store.put('large/object', Readable.from(chunks));
    expect(stored).toEqual({ bytes: data.length, sha256: sha256(data) });
    expect(await store.stat('large/object')).toEqual({ bytes: data.length });
    expect(sha256(await readAll(await store.get('large/object')))).toBe(sha256(data));
    const boundary = 5 * 1024 * 1024;
    const across = await readAll(await store.get('large/object', { start: boundary - 5, end: boundary + 4 }));
    expect(across.equals(data.subarray(boundary - 5, boundary + 5))).toBe(true);
  });

  it('refuses more than maxBytes and leaves nothing behind', async () => {
    const body = Readable.from([randomBytes(600), randomBytes(600)]);
    await expectAtelierError(store.put('too/large', body, { maxBytes: 1000 }), 413, 'payload_too_large');
    expect(body.destroyed).toBe(true);
    expect(await store.stat('too/large')).toBeUndefined();
    await expectAtelierError(store.get('too/large'), 404, 'not_found');
    expect(driver.leftovers()).toEqual([]);

    // Exactly the limit is fine.
    expect((await store.put('too/exact', Readable.from([randomBytes(1000)]), { maxBytes: 1000 })).bytes).toBe(
      1000,
    );
  });

  it('refuses a too-large multipart upload without completing it', async () => {
    const body = Readable.from(Array.from({ length: 110 }, () => randomBytes(65_536)));
    await expectAtelierError(
      store.put('too/large-multipart', body, { maxBytes: 6 * 1024 * 1024 }),
      413,
      'payload_too_large',
    );
    expect(await store.stat('too/large-multipart')).toBeUndefined();
    expect(driver.leftovers()).toEqual([]);
  });

  it('keeps a failed source from becoming visible', async () => {
    const body = new PassThrough();
    const putting = store.put('broken/source', body);
    body.write(randomBytes(1000));
    await delay(20);
    body.destroy(new Error('client went away'));
    await expect(putting).rejects.toThrow('client went away');
    expect(await store.stat('broken/source')).toBeUndefined();
    expect(driver.leftovers()).toEqual([]);
  });

  it('runs concurrent puts to different keys', async () => {
    const objects = Array.from({ length: 8 }, (_, index) => ({
      key: `concurrent/${index}`,
      data: randomBytes(20_000 + index * 1000),
    }));
    const results = await Promise.all(objects.map(({ key, data }) => store.put(key, Readable.from([data]))));
    results.forEach((result, index) => expect(result.sha256).toBe(sha256(objects[index]!.data)));
    for (const { key, data } of objects) {
      expect((await readAll(await store.get(key))).equals(data)).toBe(true);
    }
  });

  it('never shows a half-written object', async () => {
    const body = new PassThrough();
    const first = randomBytes(5 * 1024 * 1024 + 1000); // past one part, so an S3 multipart upload is under way
    const putting = store.put('slow/object', body);
    body.write(first);
    await delay(300);
    expect(await store.stat('slow/object')).toBeUndefined();
    await expectAtelierError(store.get('slow/object'), 404, 'not_found');

    const last = randomBytes(1000);
    body.end(last);
    const stored = await putting;
    expect(stored.bytes).toBe(first.length + last.length);
    expect(await store.stat('slow/object')).toEqual({ bytes: first.length + last.length });
  });

  it('gives a local path holding the object', async () => {
    const data = randomBytes(3000);
    await store.put('local/path.bin', Readable.from([data]));
    const path = await store.localPath('local/path.bin', scratch);
    expect(readFileSync(path).equals(data)).toBe(true);
    await expectAtelierError(store.localPath('local/missing.bin', scratch), 404, 'not_found');
  });

  it.each(['../escape', '/absolute', 'a/../b', 'a//b', 'a/', '', '.tmp/x', 'space here', 'back\\slash', 'ü'])(
    'rejects the key %j',
    async (key) => {
      await expectAtelierError(store.put(key, Readable.from([Buffer.from('x')])), 400, 'invalid_request');
      await expectAtelierError(store.get(key), 400, 'invalid_request');
      await expectAtelierError(store.stat(key), 400, 'invalid_request');
      await expectAtelierError(store.delete(key), 400, 'invalid_request');
    },
  );
});
