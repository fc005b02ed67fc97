/**
 * The file library's rows. Listing is newest first, paged by cursor: `after` names the last file of the
 * previous page, and the next page continues strictly below its (created_at, id) — stable while files are
 * added or removed.
 */
import type { Database } from '../database.js';
import type { FileTable } from '../schema.js';

export type FileRecord = FileTable;

export interface FileListQuery {
  limit: number;
  /** A file id: list the files after it in the listing order. */
  after?: string;
  purpose?: string;
  jobId?: string;
  /** Only the files uploaded or generated under this API key. */
  apiKeyId?: string;
  /** Only the files not expired at this time (ms). */
  unexpiredAt?: number;
}

export interface FileListPage {
  records: FileRecord[];
  hasMore: boolean;
}

export class FileRepository {
  constructor(private readonly db: Database) {}

  async insert(record: FileRecord): Promise<void> {
    await this.db.insertInto('files').values(record).execute();
  }

  async get(id: string): Promise<FileRecord | undefined> {
    return this.db.selectFrom('files').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** A page of files, or undefined when `after` names no file. */
  async list(query: FileListQuery): Promise<FileListPage | undefined> {
    let select = this.db.selectFrom('files').selectAll();
    if (query.after !== undefined) {
      const cursor = await this.db
        .selectFrom('files')
        .select(['created_at', 'id'])
        .where('id', '=', query.after)
        .executeTakeFirst();
      if (!cursor) return undefined;
      select = select.where((row) =>
        row.or([
          row('created_at', '<', cursor.created_at),
          row.and([row('created_at', '=', cursor.created_at), row('id', '<', cursor.id)]),
        ]),
      );
    }
    if (query.purpose !== undefined) select = select.where('purpose', '=', query.purpose);
    if (query.jobId !== undefined) select = select.where('job_id', '=', query.jobId);
    if (query.apiKeyId !== undefined) select = select.where('api_key_id', '=', query.apiKeyId);
    const { unexpiredAt } = query;
    if (unexpiredAt !== undefined) {
      select = select.where((row) =>
        row.or([row('expires_at', 'is', null), row('expires_at', '>', unexpiredAt)]),
      );
    }
    const rows = await select
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(query.limit + 1)
      .execute();
    return { records: rows.slice(0, query.limit), hasMore: rows.length > query.limit };
  }

  /** Every file a job produced or used, oldest first. */
  async listByJob(jobId: string): Promise<FileRecord[]> {
    return this.db
      .selectFrom('files')
      .selectAll()
      .where('job_id', '=', jobId)
      .orderBy('created_at', 'asc')
      .orderBy('id', 'asc')
      .execute();
  }

  /** Files are immutable; their metadata may learn facts later (e.g. probed media facts). */
  async setMetadata(id: string, metadata: string): Promise<void> {
    await this.db.updateTable('files').set({ metadata }).where('id', '=', id).execute();
  }

  /** Up to `limit` files expired at `now` (ms), the longest expired first. */
  async listExpired(now: number, limit: number): Promise<FileRecord[]> {
    return this.db
      .selectFrom('files')
      .selectAll()
      .where('expires_at', '<=', now)
      .orderBy('expires_at')
      .limit(limit)
      .execute();
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('files').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
