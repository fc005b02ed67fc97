/** `/v1/files` over a real socket: the official OpenAI SDK, raw multipart, limits, ranges and access. */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import OpenAI, { toFile } from 'openai';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../../unit/files/media-fixtures.js';
import { startFilesApp, type FilesApp } from './files-app.js';

const boundary = '----atelier-test-boundary';

/** A file object or an error envelope, as the tests read them. */
interface ReplyBody {
  id: string;
  bytes: number;
  purpose: string;
  error: { param?: string; [key: string]: unknown };
  [key: string]: unknown;
}

type Part = { name: string; value: string } | { name: string; filename: string; type?: string; data: Buffer };

/** A multipart body as curl -F writes one. */
function multipart(parts: Part[]): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    if ('value' in part) {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\ncontent-disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`,
        ),
      );
    } else {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\ncontent-disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\n` +
            `content-type: ${part.type ?? 'application/octet-stream'}\r\n\r\n`,
        ),
        part.data,
        Buffer.from('\r\n'),
      );
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

async function post(
  app: FilesApp,
  body: Buffer | NodeJS.ReadableStream,
  token = 'alice',
  contentType?: string,
) {
  const response = await request(`${app.baseUrl}/v1/files`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': contentType ?? `multipart/form-data; boundary=${boundary}`,
    },
    body: body as Buffer,
  });
  return {
    status: response.statusCode,
    headers: response.headers,
    body: (await response.body.json()) as ReplyBody,
  };
}

async function get(app: FilesApp, path: string, headers: Record<string, string> = {}, token = 'alice') {
  const response = await request(`${app.baseUrl}${path}`, {
    headers: { authorization: `Bearer ${token}`, ...headers },
  });
  return {
    status: response.statusCode,
    headers: response.headers,
    body: Buffer.from(await response.body.arrayBuffer()),
  };
}

const blobFiles = (app: FilesApp) =>
  readdirSync(app.blobRoot, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());

describe('files API', () => {
  let app: FilesApp;
  let client: OpenAI;

  beforeAll(async () => {
    app = await startFilesApp({ maxUploadBytes: 64 * 1024 });
    client = new OpenAI({ baseURL: `${app.baseUrl}/v1`, apiKey: 'alice', maxRetries: 0 });
  });
  afterAll(async () => app.close());

  it('uploads, retrieves, lists, downloads and deletes with the official OpenAI SDK', async () => {
    const png = await makePng();
    const created = await client.files.create({ file: await toFile(png, 'a.png'), purpose: 'vision' });
    expect(created).toMatchObject({
      object: 'file',
      bytes: png.length,
      filename: 'a.png',
      purpose: 'vision',
      status: 'processed',
      mime_type: 'image/png',
      job_id: null,
      url: `/v1/files/${created.id}/content`,
    });
    expect(created.id).toMatch(/^file-/);
    expect(Math.abs(created.created_at - Date.now() / 1000)).toBeLessThan(60);
    // What the server recorded: the uploading key, the exact bytes.
    const record = await app.files.get(created.id);
    expect(record).toMatchObject({
      api_key_id: 'key_alice',
      sha256: createHash('sha256').update(png).digest('hex'),
    });

    expect(await client.files.retrieve(created.id)).toEqual(created);
    const page = await client.files.list({ purpose: 'vision' });
    expect(page.data.map((file) => file.id)).toContain(created.id);

    const content = await client.files.content(created.id);
    expect(content.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await content.arrayBuffer()).equals(png)).toBe(true);

    expect(await client.files.delete(created.id)).toEqual({ id: created.id, object: 'file', deleted: true });
    await expect(client.files.retrieve(created.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('accepts the purpose before or after the file, and never trusts the declared type', async () => {
    const html = Buffer.from('<html><script>alert(1)</script></html>');
    const before = await post(
      app,
      multipart([
        { name: 'purpose', value: 'user_data' },
        { name: 'file', filename: 'x.html', type: 'text/html', data: html },
      ]),
    );
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({
      purpose: 'user_data',
      mime_type: 'text/plain',
      metadata: { declared_mime_type: 'text/html' },
    });
    const after = await post(
      app,
      multipart([
        { name: 'file', filename: 'y.txt', data: html },
        { name: 'purpose', value: 'input' },
      ]),
    );
    expect(after.status).toBe(200);
    expect(after.body.purpose).toBe('input');
  });

  it.each([
    ['purpose', [{ name: 'file', filename: 'a.txt', data: Buffer.from('hi') }]],
    ['file', [{ name: 'purpose', value: 'vision' }]],
  ] as const)('answers 400 naming the missing %s, and keeps nothing', async (field, parts) => {
    const before = blobFiles(app).length;
    const response = await post(app, multipart([...parts]));
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: {
        message: `Missing required parameter: '${field}'.`,
        type: 'invalid_request_error',
        param: field,
        code: 'invalid_request',
      },
    });
    expect(blobFiles(app).length).toBe(before);
  });

  it('answers 400 for a bad purpose, a file in another field, or a body that is not multipart', async () => {
    const badPurpose = await post(
      app,
      multipart([
        { name: 'purpose', value: 'Not Valid!' },
        { name: 'file', filename: 'a.txt', data: Buffer.from('hi') },
      ]),
    );
    expect(badPurpose.status).toBe(400);
    expect(badPurpose.body.error.param).toBe('purpose');

    const wrongField = await post(
      app,
      multipart([
        { name: 'purpose', value: 'vision' },
        { name: 'upload', filename: 'a.txt', data: Buffer.from('hi') },
      ]),
    );
    expect(wrongField.status).toBe(400);
    expect(wrongField.body.error.param).toBe('upload');

    const json = await post(app, Buffer.from('{"purpose":"vision"}'), 'alice', 'application/json');
    expect(json.status).toBe(400);
    expect(json.body.error.param).toBe('file');
  });

  it("sets expires_at from the SDK's expires_after, counted from created_at", async () => {
    const created = await client.files.create({
      file: await toFile(Buffer.from('short-lived'), 'brief.txt'),
      purpose: 'user_data',
      expires_after: { anchor: 'created_at', seconds: 7200 },
    });
    expect(created.expires_at).toBe(created.created_at + 7200);
    expect((await client.files.retrieve(created.id)).expires_at).toBe(created.expires_at);
    const record = await app.files.get(created.id);
    expect(record?.expires_at).toBe(record!.created_at + 7_200_000);

    const lasting = await client.files.create({
      file: await toFile(Buffer.from('kept'), 'kept.txt'),
      purpose: 'user_data',
    });
    expect(lasting.expires_at).toBeNull();
  });

  it.each([
    ['a missing anchor', [['expires_after[seconds]', '3600']], 'expires_after[anchor]'],
    [
      'another anchor',
      [
        ['expires_after[anchor]', 'last_active_at'],
        ['expires_after[seconds]', '3600'],
      ],
      'expires_after[anchor]',
    ],
    ['missing seconds', [['expires_after[anchor]', 'created_at']], 'expires_after[seconds]'],
    [
      'under an hour',
      [
        ['expires_after[anchor]', 'created_at'],
        ['expires_after[seconds]', '3599'],
      ],
      'expires_after[seconds]',
    ],
    [
      'over 30 days',
      [
        ['expires_after[anchor]', 'created_at'],
        ['expires_after[seconds]', '2592001'],
      ],
      'expires_after[seconds]',
    ],
    [
      'a fraction',
      [
        ['expires_after[anchor]', 'created_at'],
        ['expires_after[seconds]', '3600.5'],
      ],
      'expires_after[seconds]',
    ],
    [
      'not a number',
      [
        ['expires_after[anchor]', 'created_at'],
        ['expires_after[seconds]', '1e9'],
      ],
      'expires_after[seconds]',
    ],
  ] as const)('answers 400 for expires_after with %s, and keeps nothing', async (_case, fields, param) => {
    const before = blobFiles(app).length;
    const response = await post(
      app,
      multipart([
        { name: 'purpose', value: 'user_data' },
        ...fields.map(([name, value]) => ({ name, value })),
        { name: 'file', filename: 'a.txt', data: Buffer.from('hi') },
      ]),
    );
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', param });
    expect(blobFiles(app).length).toBe(before);
  });

  it('answers 413 in the OpenAI envelope when the file is over the limit, and keeps nothing', async () => {
    const before = blobFiles(app).length;
    for (const size of [64 * 1024 + 1, 1024 * 1024]) {
      const response = await post(
        app,
        multipart([
          { name: 'purpose', value: 'vision' },
          { name: 'file', filename: 'big.bin', data: randomBytes(size) },
        ]),
      );
      expect(response.status).toBe(413);
      expect(response.body.error).toMatchObject({ type: 'invalid_request_error', code: 'payload_too_large' });
    }
    expect(blobFiles(app).length).toBe(before);
    const exact = await post(
      app,
      multipart([
        { name: 'purpose', value: 'vision' },
        { name: 'file', filename: 'exact.bin', data: randomBytes(64 * 1024) },
      ]),
    );
    expect(exact.status).toBe(200);
    expect(exact.body.bytes).toBe(64 * 1024);
  });

  it('refuses a second file in one upload', async () => {
    const response = await post(
      app,
      multipart([
        { name: 'purpose', value: 'vision' },
        { name: 'file', filename: 'a.txt', data: Buffer.from('one') },
        { name: 'file', filename: 'b.txt', data: Buffer.from('two') },
      ]),
    );
    expect(response.status).toBe(400);
    expect(response.body.error.param).toBe('file');
  });

  describe('content', () => {
    const data = randomBytes(1000);
    let id: string;

    beforeAll(async () => {
      const uploaded = await post(
        app,
        multipart([
          { name: 'purpose', value: 'user_data' },
          { name: 'file', filename: 'rapport été final.bin', data },
        ]),
      );
      id = uploaded.body.id;
    });

    it('serves the whole file with its headers', async () => {
      const response = await get(app, `/v1/files/${id}/content`);
      expect(response.status).toBe(200);
      expect(response.body.equals(data)).toBe(true);
      expect(response.headers).toMatchObject({
        'accept-ranges': 'bytes',
        'content-length': '1000',
        'content-type': 'application/octet-stream',
        etag: `"${createHash('sha256').update(data).digest('hex')}"`,
        'content-disposition': `inline; filename="rapport _t_ final.bin"; filename*=UTF-8''rapport%20%C3%A9t%C3%A9%20final.bin`,
        'x-content-type-options': 'nosniff',
        'content-security-policy': "default-src 'none'; sandbox",
      });
    });

    it.each([
      ['bytes=0-99', 0, 99],
      ['bytes=500-599', 500, 599],
      ['bytes=900-', 900, 999],
      ['bytes=-10', 990, 999],
      ['bytes=990-5000', 990, 999],
    ])('serves %s as 206', async (range, start, end) => {
      const response = await get(app, `/v1/files/${id}/content`, { range });
      expect(response.status).toBe(206);
      expect(response.headers['content-range']).toBe(`bytes ${start}-${end}/1000`);
      expect(response.headers['content-length']).toBe(String(end - start + 1));
      expect(response.body.equals(data.subarray(start, end + 1))).toBe(true);
    });

    it('answers 416 with the size for a range past the end', async () => {
      const response = await get(app, `/v1/files/${id}/content`, { range: 'bytes=1000-' });
      expect(response.status).toBe(416);
      expect(response.headers['content-range']).toBe('bytes */1000');
      expect(JSON.parse(response.body.toString()).error).toMatchObject({
        code: 'range_not_satisfiable',
        param: 'range',
      });
    });

    it('serves the whole file for several ranges, and for a stale If-Range', async () => {
      const multiple = await get(app, `/v1/files/${id}/content`, { range: 'bytes=0-1,5-6' });
      expect(multiple.status).toBe(200);
      expect(multiple.body.length).toBe(1000);
      const stale = await get(app, `/v1/files/${id}/content`, { range: 'bytes=0-1', 'if-range': '"old"' });
      expect(stale.status).toBe(200);
    });

    it('answers 304 when the client already has this version', async () => {
      const response = await get(app, `/v1/files/${id}/content`, {
        'if-none-match': `"${createHash('sha256').update(data).digest('hex')}"`,
      });
      expect(response.status).toBe(304);
      expect(response.body.length).toBe(0);
    });

    it('answers HEAD with the headers only', async () => {
      const response = await request(`${app.baseUrl}/v1/files/${id}/content`, {
        method: 'HEAD',
        headers: { authorization: 'Bearer alice' },
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-length']).toBe('1000');
      expect((await response.body.arrayBuffer()).byteLength).toBe(0);
    });

    it('labels sniffed text as UTF-8', async () => {
      const uploaded = await post(
        app,
        multipart([
          { name: 'purpose', value: 'user_data' },
          { name: 'file', filename: 'n.txt', data: Buffer.from('héllo') },
        ]),
      );
      const response = await get(app, `/v1/files/${uploaded.body.id}/content`);
      expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(response.body.toString()).toBe('héllo');
    });
  });

  it('keeps nothing of an upload whose client goes away midway', async () => {
    const before = blobFiles(app).length;
    const listedBefore = (await app.files.list({ limit: 100 })).records.length;
    const controller = new AbortController();
    async function* body() {
      yield Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="purpose"\r\n\r\nuser_data\r\n` +
          `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="cut.bin"\r\n\r\n`,
      );
      yield randomBytes(16 * 1024);
      await new Promise((resolve) => setTimeout(resolve, 100));
      controller.abort();
    }
    await expect(
      request(`${app.baseUrl}/v1/files`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer alice',
          'content-type': `multipart/form-data; boundary=${boundary}`,
        },
        body: Readable.from(body()),
        signal: controller.signal,
      }),
    ).rejects.toThrow();
    // The server notices the closed connection on its own time.
    for (let attempt = 0; attempt < 50 && readdirSync(join(app.blobRoot, '.tmp')).length > 0; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(readdirSync(join(app.blobRoot, '.tmp'))).toEqual([]);
    expect(blobFiles(app).length).toBe(before);
    expect((await app.files.list({ limit: 100 })).records.length).toBe(listedBefore);
  });

  it('answers 404 after a delete, everywhere', async () => {
    const uploaded = await post(
      app,
      multipart([
        { name: 'purpose', value: 'user_data' },
        { name: 'file', filename: 'd.txt', data: Buffer.from('bye') },
      ]),
    );
    const id: string = uploaded.body.id;
    const removal = await request(`${app.baseUrl}/v1/files/${id}`, {
      method: 'DELETE',
      headers: { authorization: 'Bearer alice' },
    });
    expect(removal.statusCode).toBe(200);
    expect(await removal.body.json()).toEqual({ id, object: 'file', deleted: true });
    for (const path of [`/v1/files/${id}`, `/v1/files/${id}/content`]) {
      const response = await get(app, path);
      expect(response.status).toBe(404);
      expect(JSON.parse(response.body.toString()).error).toMatchObject({
        type: 'not_found_error',
        code: 'file_not_found',
      });
    }
    const again = await request(`${app.baseUrl}/v1/files/${id}`, {
      method: 'DELETE',
      headers: { authorization: 'Bearer alice' },
    });
    expect(again.statusCode).toBe(404);
    await again.body.dump();
  });

  it("keeps one key's files from another, and shows every file to an admin", async () => {
    const uploaded = await post(
      app,
      multipart([
        { name: 'purpose', value: 'user_data' },
        { name: 'file', filename: 'secret.txt', data: Buffer.from('mine') },
      ]),
      'carol',
    );
    const id: string = uploaded.body.id;
    expect((await get(app, `/v1/files/${id}`, {}, 'alice')).status).toBe(404);
    expect((await get(app, `/v1/files/${id}/content`, {}, 'alice')).status).toBe(404);
    const listed = JSON.parse((await get(app, '/v1/files?limit=100', {}, 'alice')).body.toString());
    expect(listed.data.map((file: { id: string }) => file.id)).not.toContain(id);
    expect((await get(app, `/v1/files/${id}`, {}, 'admin')).status).toBe(200);
    const unauthenticated = await request(`${app.baseUrl}/v1/files/${id}`);
    expect(unauthenticated.statusCode).toBe(401);
    await unauthenticated.body.dump();
  });
});

describe('files API listing', () => {
  let app: FilesApp;
  const ids: string[] = [];

  beforeAll(async () => {
    // A second apart, so newest-first is the order they were made in.
    let now = 1_700_000_000_000;
    app = await startFilesApp({ maxUploadBytes: 1024, clock: () => (now += 1000) });
    for (let index = 0; index < 5; index += 1) {
      const record = await app.files.createFromBuffer({
        data: Buffer.from(`file ${index}`),
        filename: `${index}.txt`,
        purpose: index % 2 === 0 ? 'output' : 'user_data',
        jobId: index < 2 ? 'job_1' : null,
        apiKeyId: 'key_dave',
      });
      ids.unshift(record.id); // newest first
    }
  });
  afterAll(async () => app.close());

  const list = async (query: string) => {
    const response = await get(app, `/v1/files${query}`, {}, 'dave');
    return { status: response.status, body: JSON.parse(response.body.toString()) };
  };

  it('pages newest first with first_id, last_id and has_more', async () => {
    const first = await list('?limit=2');
    expect(first.body).toMatchObject({ object: 'list', first_id: ids[0], last_id: ids[1], has_more: true });
    expect(first.body.data.map((file: { id: string }) => file.id)).toEqual(ids.slice(0, 2));
    const rest = await list(`?limit=10&after=${ids[1]}`);
    expect(rest.body.data.map((file: { id: string }) => file.id)).toEqual(ids.slice(2));
    expect(rest.body.has_more).toBe(false);
    expect(await list(`?after=${ids[4]}`)).toEqual({
      status: 200,
      body: { object: 'list', data: [], first_id: null, last_id: null, has_more: false },
    });
  });

  it('filters by purpose and job', async () => {
    const outputs = await list('?purpose=output');
    expect(outputs.body.data.map((file: { purpose: string }) => file.purpose)).toEqual([
      'output',
      'output',
      'output',
    ]);
    const jobFiles = await list('?job_id=job_1');
    expect(jobFiles.body.data.map((file: { job_id: string }) => file.job_id)).toEqual(['job_1', 'job_1']);
  });

  it.each([
    ['?limit=0', 'limit'],
    ['?limit=101', 'limit'],
    ['?limit=abc', 'limit'],
    ['?order=asc', 'order'],
    ['?after=file-unknown', 'after'],
  ])('answers 400 for %s', async (query, param) => {
    const response = await list(query);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', param });
  });
});

describe('files API streaming', () => {
  let app: FilesApp;

  beforeAll(async () => {
    app = await startFilesApp({ maxUploadBytes: 32 * 1024 * 1024 });
  });
  afterAll(async () => app.close());

  it('streams a 20 MB upload to disk without holding it in memory', async () => {
    const total = 20 * 1024 * 1024;
    const chunk = randomBytes(64 * 1024);
    const expectedHash = createHash('sha256');
    async function* body() {
      yield Buffer.from(
        `--${boundary}\r\ncontent-disposition: form-data; name="purpose"\r\n\r\nuser_data\r\n` +
          `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="big.bin"\r\n` +
          'content-type: application/octet-stream\r\n\r\n',
      );
      for (let sent = 0; sent < total; sent += chunk.length) {
        expectedHash.update(chunk);
        yield chunk;
      }
      yield Buffer.from(`\r\n--${boundary}--\r\n`);
    }

    setFlagsFromString('--expose-gc');
    const collectGarbage = runInNewContext('gc') as () => void;
    collectGarbage();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => {
      collectGarbage();
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    try {
      const response = await post(app, Readable.from(body()));
      expect(response.status).toBe(200);
      expect(response.body.bytes).toBe(total);
      expect((await app.files.get(response.body.id)).sha256).toBe(expectedHash.digest('hex'));
    } finally {
      clearInterval(sampler);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    // Buffering the upload would hold 20 MB at least; streaming holds a few socket and file buffers. The
    // sampler collects garbage first, so the growth measured is memory held, not memory not yet freed.
    expect(peak - before).toBeLessThan(10 * 1024 * 1024);
  });
});
