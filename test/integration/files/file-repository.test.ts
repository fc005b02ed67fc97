/** The files table on every database driver: newest-first cursor pagination, filters and expiry. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../../src/storage/database.js';
import { FileRepository, type FileRecord } from '../../../src/storage/repositories/file-repository.js';
import { createTestDatabase, isPostgresAvailable, type TestDatabase } from '../../support/databases.js';

const postgres = await isPostgresAvailable();

function file(id: string, createdAt: number, overrides: Partial<FileRecord> = {}): FileRecord {
  return {
    id,
    purpose: 'user_data',
    filename: `${id}.bin`,
    bytes: 10,
    mime_type: 'application/octet-stream',
    sha256: 'ab'.repeat(32),
    blob_key: `files/2025/01/${id}`,
    metadata: '{}',
    api_key_id: 'key_a',
    job_id: null,
    created_at: createdAt,
    expires_at: null,
    ...overrides,
  };
}

describe.each([
  ['sqlite', true],
  ['postgres', postgres],
] as const)('file repository on %s', (name, available) => {
  let testDatabase: TestDatabase;
  let opened: OpenedDatabase;
  let files: FileRepository;

  beforeAll(async () => {
    if (!available) return;
    testDatabase = await createTestDatabase(name);
    opened = await openDatabase({ url: testDatabase.url, dataDir: testDatabase.dataDir });
    files = new FileRepository(opened.db);
    // Two pairs share a timestamp, so the id breaks the tie.
    await files.insert(file('file-a', 1_000));
    await files.insert(file('file-b', 2_000, { purpose: 'vision', job_id: 'job_1' }));
    await files.insert(file('file-c', 2_000, { job_id: 'job_1', api_key_id: 'key_b' }));
    await files.insert(file('file-d', 3_000, { purpose: 'vision' }));
    await files.insert(file('file-e', 4_000, { job_id: 'job_2', metadata: '{"prompt":"x"}' }));
    await files.insert(file('file-f', 4_000, { purpose: 'vision', job_id: 'job_1', bytes: 5_000_000_000 }));
  });
  afterAll(async () => {
    if (!available) return;
    await opened.close();
    await testDatabase.drop();
  });

  const ids = (records: FileRecord[]) => records.map((record) => record.id);

  it.skipIf(!available)('reads back what it stored, large sizes included', async () => {
    expect(await files.get('file-f')).toEqual(
      file('file-f', 4_000, { purpose: 'vision', job_id: 'job_1', bytes: 5_000_000_000 }),
    );
    expect(await files.get('file-missing')).toBeUndefined();
  });

  it.skipIf(!available)('lists newest first, then by id, page by page', async () => {
    const first = await files.list({ limit: 2 });
    expect(first).toEqual({ records: expect.any(Array), hasMore: true });
    expect(ids(first!.records)).toEqual(['file-f', 'file-e']);
    const second = await files.list({ limit: 2, after: 'file-e' });
    expect(ids(second!.records)).toEqual(['file-d', 'file-c']);
    const third = await files.list({ limit: 2, after: 'file-c' });
    expect(ids(third!.records)).toEqual(['file-b', 'file-a']);
    expect(third!.hasMore).toBe(false);
    expect(await files.list({ limit: 2, after: 'file-a' })).toEqual({ records: [], hasMore: false });
    expect(ids((await files.list({ limit: 100 }))!.records)).toHaveLength(6);
  });

  it.skipIf(!available)('filters by purpose, job and key, with the cursor', async () => {
    expect(ids((await files.list({ limit: 10, purpose: 'vision' }))!.records)).toEqual([
      'file-f',
      'file-d',
      'file-b',
    ]);
    expect(ids((await files.list({ limit: 10, jobId: 'job_1' }))!.records)).toEqual([
      'file-f',
      'file-c',
      'file-b',
    ]);
    expect(ids((await files.list({ limit: 10, apiKeyId: 'key_b' }))!.records)).toEqual(['file-c']);
    const page = await files.list({ limit: 1, purpose: 'vision', jobId: 'job_1', after: 'file-f' });
    expect(page).toEqual({ records: [expect.objectContaining({ id: 'file-b' })], hasMore: false });
  });

  it.skipIf(!available)('says when the cursor names no file', async () => {
    expect(await files.list({ limit: 10, after: 'file-missing' })).toBeUndefined();
  });

  it.skipIf(!available)("lists a job's files oldest first", async () => {
    expect(ids(await files.listByJob('job_1'))).toEqual(['file-b', 'file-c', 'file-f']);
    expect(await files.listByJob('job_none')).toEqual([]);
  });

  it.skipIf(!available)('deletes once', async () => {
    await files.insert(file('file-z', 9_000));
    expect(await files.delete('file-z')).toBe(true);
    expect(await files.delete('file-z')).toBe(false);
    expect(await files.get('file-z')).toBeUndefined();
  });

  it.skipIf(!available)('finds expired files, longest expired first, and lists only the others', async () => {
    await files.insert(file('file-x1', 9_000, { expires_at: 6_000 }));
    await files.insert(file('file-x2', 9_000, { expires_at: 5_000 }));
    await files.insert(file('file-x3', 9_000, { expires_at: 50_000 }));
    expect(ids(await files.listExpired(6_000, 10))).toEqual(['file-x2', 'file-x1']);
    expect(ids(await files.listExpired(6_000, 1))).toEqual(['file-x2']);
    expect(await files.listExpired(4_999, 10)).toEqual([]);
    const listed = ids((await files.list({ limit: 100, unexpiredAt: 6_000 }))!.records);
    expect(listed).toContain('file-x3');
    expect(listed).not.toContain('file-x1');
    expect(listed).not.toContain('file-x2');
    expect(listed).toHaveLength(7);
    for (const id of ['file-x1', 'file-x2', 'file-x3']) await files.delete(id);
  });
});
