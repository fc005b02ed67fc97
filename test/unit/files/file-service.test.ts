/** The file library over SQLite and the fs blob store: sniffing, atomic visibility, access, deletion. */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { buffer as readAll } from 'node:stream/consumers';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileService } from '../../../src/files/file-service.js';
import { FsBlobStore } from '../../../src/storage/blobs/fs-blob-store.js';
import { openDatabase, type OpenedDatabase } from '../../../src/storage/database.js';
import { FileRepository, type FileRecord } from '../../../src/storage/repositories/file-repository.js';
import { makeMp4, makePng, makeWav } from './media-fixtures.js';

const createdAt = Date.UTC(2025, 2, 7, 12, 0, 0); // March 2025

let directory: string;
let opened: OpenedDatabase;
let repository: FileRepository;
let blobs: FsBlobStore;
let files: FileService;

beforeEach(async () => {
  directory = mkdtempSync(join(tmpdir(), 'atelier-files-'));
  opened = await openDatabase({ dataDir: directory });
  repository = new FileRepository(opened.db);
  blobs = new FsBlobStore(join(directory, 'blobs'));
  files = new FileService(repository, blobs, () => createdAt);
});
afterEach(async () => {
  await opened.close();
  rmSync(directory, { recursive: true, force: true });
});

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function upload(data: Buffer, filename: string, declaredMimeType?: string) {
  return files.create({
    body: Readable.from([data]),
    filename,
    purpose: 'user_data',
    maxBytes: 10 * 1024 * 1024,
    declaredMimeType,
  });
}

describe('FileService.create', () => {
  it('stores the bytes, the sniffed type and the facts, under a dated key', async () => {
    const png = await makePng();
    const record = await files.create({
      body: Readable.from([png]),
      filename: 'uploads/cat.png',
      purpose: 'vision',
      apiKeyId: 'key_1',
      jobId: 'job_1',
      metadata: { prompt: 'a cat' },
      maxBytes: 1_000_000,
      declaredMimeType: 'text/html',
    });
    expect(record).toMatchObject({
      purpose: 'vision',
      filename: 'cat.png',
      bytes: png.length,
      sha256: sha256(png),
      mime_type: 'image/png',
      api_key_id: 'key_1',
      job_id: 'job_1',
      created_at: createdAt,
      expires_at: null,
    });
    expect(record.id).toMatch(/^file-[0-9a-f]{24}$/);
    expect(record.blob_key).toBe(`files/2025/03/${record.id}`);
    // The client's claim is kept, never used.
    expect(JSON.parse(record.metadata)).toEqual({ prompt: 'a cat', declared_mime_type: 'text/html' });
    expect(await repository.get(record.id)).toEqual(record);
    expect(readFileSync(join(directory, 'blobs', record.blob_key)).equals(png)).toBe(true);
  });

  it.each([
    ['clip.mp4', 'video/mp4', 'text/plain', makeMp4],
    ['tone.wav', 'audio/wav', 'image/png', async () => makeWav()],
    [
      'captions.srt',
      'application/x-subrip',
      'video/mp4',
      async () => Buffer.from('1\n00:00:00,000 --> 00:00:01,000\nHi\n'),
    ],
    [
      'captions.vtt',
      'text/vtt',
      undefined,
      async () => Buffer.from('WEBVTT\n\n00:00.000 --> 00:01.000\nHi\n'),
    ],
    ['data.json', 'application/json', 'image/jpeg', async () => Buffer.from('{"a":[1,2,3]}')],
    [
      'page.html',
      'text/plain',
      'text/html',
      async () => Buffer.from('<html><script>alert(1)</script></html>'),
    ],
    ['blob.bin', 'application/octet-stream', 'image/png', async () => Buffer.from([0, 1, 2, 0xff, 0xfe])],
  ])('sniffs %s as %s whatever the client declared (%s)', async (filename, expected, declared, make) => {
    const data = await make();
    const record = await upload(data, filename, declared);
    expect(record.mime_type).toBe(expected);
    expect(record.bytes).toBe(data.length);
  });

  it('refuses an upload over maxBytes and leaves no row, blob or temporary file', async () => {
    const body = Readable.from([Buffer.alloc(700), Buffer.alloc(700)]);
    await expect(
      files.create({ body, filename: 'big.bin', purpose: 'user_data', maxBytes: 1000 }),
    ).rejects.toMatchObject({ status: 413, kind: 'payload_too_large' });
    expect((await files.list({ limit: 10 })).records).toEqual([]);
    expect(readdirSync(join(directory, 'blobs', '.tmp'))).toEqual([]);
    expect(existsSync(join(directory, 'blobs', 'files'))).toBe(false);
  });

  it('shows nothing until the bytes are complete', async () => {
    const body = new PassThrough();
    const creating = files.create({ body, filename: 'slow.txt', purpose: 'user_data', maxBytes: 1000 });
    body.write('half of ');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await files.list({ limit: 10 })).records).toEqual([]);
    body.end('the text');
    const record = await creating;
    expect((await files.list({ limit: 10 })).records.map((file) => file.id)).toEqual([record.id]);
    expect((await readAll((await files.open(record.id)).stream)).toString()).toBe('half of the text');
  });

  it('discards the blob when the row cannot be written', async () => {
    const failing = Object.assign(Object.create(repository) as FileRepository, {
      insert: async () => {
        throw new Error('database is down');
      },
    });
    const service = new FileService(failing, blobs, () => createdAt);
    await expect(
      service.createFromBuffer({ data: Buffer.from('x'), filename: 'x', purpose: 'p' }),
    ).rejects.toThrow('database is down');
    expect(readdirSync(join(directory, 'blobs', 'files', '2025', '03'))).toEqual([]);
  });

  it('creates generated outputs from a buffer', async () => {
    const png = await makePng(8, 8);
    const record = await files.createFromBuffer({
      data: png,
      filename: 'output.png',
      purpose: 'output',
      jobId: 'job_9',
      metadata: { model: 'draft', draft: true },
    });
    expect(record).toMatchObject({ mime_type: 'image/png', bytes: png.length, job_id: 'job_9' });
    expect(JSON.parse(record.metadata)).toEqual({ model: 'draft', draft: true });
  });
});

describe('FileService reads and deletes', () => {
  let record: FileRecord;
  const data = Buffer.from('0123456789abcdefghij');

  beforeEach(async () => {
    record = await files.createFromBuffer({
      data,
      filename: 'digits.txt',
      purpose: 'user_data',
      apiKeyId: 'key_a',
    });
  });

  it('opens the whole file or a range of it', async () => {
    const whole = await files.open(record.id);
    expect(whole.record).toEqual(record);
    expect((await readAll(whole.stream)).equals(data)).toBe(true);
    const part = await files.open(record.id, { start: 10, end: 15 });
    expect((await readAll(part.stream)).toString()).toBe('abcdef');
  });

  it('finds a file only for its own key when access is scoped', async () => {
    expect((await files.get(record.id, { ownerKeyId: 'key_a' })).id).toBe(record.id);
    await expect(files.get(record.id, { ownerKeyId: 'key_b' })).rejects.toMatchObject({
      status: 404,
      code: 'file_not_found',
    });
    await expect(files.delete(record.id, { ownerKeyId: 'key_b' })).rejects.toMatchObject({ status: 404 });
    expect(await repository.get(record.id)).toBeDefined();
  });

  it('gives a local path for tools that need one', async () => {
    const path = await files.localPath(record.id, join(directory, 'scratch'));
    expect(readFileSync(path).equals(data)).toBe(true);
  });

  it('deletes the row and then the bytes', async () => {
    const deleted = await files.delete(record.id);
    expect(deleted.id).toBe(record.id);
    expect(await repository.get(record.id)).toBeUndefined();
    expect(await blobs.stat(record.blob_key)).toBeUndefined();
    await expect(files.get(record.id)).rejects.toMatchObject({ status: 404 });
    await expect(files.delete(record.id)).rejects.toMatchObject({ status: 404 });
  });

  it('refuses a cursor that names no file', async () => {
    await expect(files.list({ limit: 5, after: 'file-missing' })).rejects.toMatchObject({
      status: 400,
      param: 'after',
    });
  });

  it("presents OpenAI's file object with a content link", () => {
    expect(files.present(record, 'https://atelier.example')).toEqual({
      id: record.id,
      object: 'file',
      bytes: data.length,
      created_at: Math.floor(createdAt / 1000),
      expires_at: null,
      filename: 'digits.txt',
      purpose: 'user_data',
      status: 'processed',
      mime_type: 'text/plain',
      metadata: {},
      job_id: null,
      url: `https://atelier.example/v1/files/${record.id}/content`,
    });
    expect(files.present(record).url).toBe(`/v1/files/${record.id}/content`);
  });
});
