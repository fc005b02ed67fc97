/**
 * A file past its `expires_at` is gone at once through `/v1/files` (404 in the OpenAI envelope, no longer
 * listed) though its row and bytes are still stored; the sweep then deletes both, and nothing else.
 */
import pino from 'pino';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FileRecord } from '../../../src/storage/repositories/file-repository.js';
import { startRoundedRetentionSweep } from '../../../src/storage/retention-sweep.js';
import { startFilesApp, type FilesApp } from './files-app.js';

describe('file expiry', () => {
  let now = 1_700_000_000_000;
  let app: FilesApp;
  let expiring: FileRecord;
  let lasting: FileRecord;

  beforeAll(async () => {
    app = await startFilesApp({ maxUploadBytes: 1024, clock: () => now });
    const file = { purpose: 'user_data', apiKeyId: 'key_alice' };
    expiring = await app.files.createFromBuffer({
      ...file,
      data: Buffer.from('soon gone'),
      filename: 'soon.txt',
      expiresAt: now + 60_000,
    });
    lasting = await app.files.createFromBuffer({
      ...file,
      data: Buffer.from('here to stay'),
      filename: 'stay.txt',
    });
  });
  afterAll(async () => app.close());

  async function send(path: string, method: 'GET' | 'DELETE' = 'GET') {
    const response = await request(`${app.baseUrl}${path}`, {
      method,
      headers: { authorization: 'Bearer alice' },
    });
    return { status: response.statusCode, body: await response.body.text() };
  }

  it('serves a file until it expires, then answers 404 everywhere as for a deleted one', async () => {
    const metadata = await send(`/v1/files/${expiring.id}`);
    expect(metadata.status).toBe(200);
    expect(JSON.parse(metadata.body)).toMatchObject({
      id: expiring.id,
      expires_at: Math.floor(now / 1000) + 60,
    });
    expect(await send(`/v1/files/${expiring.id}/content`)).toEqual({ status: 200, body: 'soon gone' });

    now += 60_000;
    for (const path of [`/v1/files/${expiring.id}`, `/v1/files/${expiring.id}/content`]) {
      const response = await send(path);
      expect(response.status).toBe(404);
      expect(JSON.parse(response.body).error).toMatchObject({
        type: 'not_found_error',
        code: 'file_not_found',
        param: 'id',
      });
    }
    expect((await send(`/v1/files/${expiring.id}`, 'DELETE')).status).toBe(404);
    const listed = JSON.parse((await send('/v1/files?limit=100')).body) as { data: Array<{ id: string }> };
    expect(listed.data.map((file) => file.id)).toEqual([lasting.id]);
    // Gone to clients, still stored until the sweep comes.
    expect(await app.repository.get(expiring.id)).toBeDefined();
    expect(await app.blobs.stat(expiring.blob_key)).toBeDefined();
  });

  it('sweeps the rows and bytes of expired files, and only theirs', async () => {
    // The sweep as application.ts starts it in processes that run workers.
    const stop = startRoundedRetentionSweep({
      rows: 'expired files',
      deleteRound: (limit) => app.files.deleteExpired(limit),
      logger: pino({ enabled: false }),
    });
    await vi.waitFor(async () => expect(await app.blobs.stat(expiring.blob_key)).toBeUndefined());
    stop();
    expect(await app.repository.get(expiring.id)).toBeUndefined();
    expect(await app.repository.get(lasting.id)).toBeDefined();
    expect(await app.blobs.stat(lasting.blob_key)).toEqual({ bytes: 12 });
    expect(await send(`/v1/files/${lasting.id}/content`)).toEqual({ status: 200, body: 'here to stay' });
  });
});
