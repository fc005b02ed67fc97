/**
 * The file library: uploads and generated outputs, their bytes in a blob store and their facts in the
 * database. A file becomes visible (its row exists) only after its blob is complete, and its type is always
 * the one sniffed from its bytes.
 */
import { randomBytes } from 'node:crypto';
import { pipeline, Readable } from 'node:stream';
import { InvalidRequestError, NotFoundError } from '../errors/index.js';
import type { BlobStore, ByteRange } from '../storage/blobs/blob-store.js';
import type {
  FileListPage,
  FileListQuery,
  FileRecord,
  FileRepository,
} from '../storage/repositories/file-repository.js';
import { ContentSniffer } from './content-sniffer.js';
import { normalizeFilename } from './filename.js';
import { sniffMimeType } from './mime-sniff.js';

/** Bytes stored but not yet in the library: commit it to make it a file, or discard it. */
export interface StagedFile {
  id: string;
  blobKey: string;
  filename: string;
  bytes: number;
  sha256: string;
  mimeType: string;
  declaredMimeType: string | undefined;
  createdAt: number;
}

export interface StageFileInput {
  body: Readable;
  filename: string | undefined;
  maxBytes: number;
  /** The client's claim (a multipart part's Content-Type): kept in metadata, never trusted. */
  declaredMimeType?: string;
}

export interface CommitFileInput {
  purpose: string;
  apiKeyId?: string | null;
  jobId?: string | null;
  /** Prompt, model, usage, media facts, draft marker … */
  metadata?: Record<string, unknown>;
  expiresAt?: number | null;
}

export type CreateFileInput = StageFileInput & CommitFileInput;

export interface FileAccess {
  /** Only a file uploaded or generated under this API key is found; every file when absent. */
  ownerKeyId?: string;
}

/** OpenAI's file object, plus Atelier's type, metadata, job and content link. */
export interface FileObject {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  expires_at: number | null;
  filename: string;
  purpose: string;
  status: 'processed';
  mime_type: string;
  metadata: Record<string, unknown>;
  job_id: string | null;
  url: string;
}

export class FileService {
  constructor(
    private readonly repository: FileRepository,
    private readonly blobs: BlobStore,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Stream bytes into the blob store, sniffing their type on the way. */
  async stage(input: StageFileInput): Promise<StagedFile> {
    const createdAt = this.clock();
    const id = `file-${randomBytes(12).toString('hex')}`;
    const blobKey = blobKeyFor(id, createdAt);
    const sniffer = new ContentSniffer();
    // Errors travel both ways along the pipeline; the blob store reports them, so the callback has no work.
    const observed = pipeline(input.body, sniffer, () => undefined);
    const stored = await this.blobs.put(blobKey, observed, { maxBytes: input.maxBytes });
    return {
      id,
      blobKey,
      filename: normalizeFilename(input.filename),
      bytes: stored.bytes,
      sha256: stored.sha256,
      mimeType: await sniffMimeType(sniffer.observation()),
      declaredMimeType: input.declaredMimeType,
      createdAt,
    };
  }

  /** Make staged bytes a file in the library. */
  async commit(staged: StagedFile, input: CommitFileInput): Promise<FileRecord> {
    const metadata = { ...input.metadata };
    if (staged.declaredMimeType !== undefined) metadata.declared_mime_type = staged.declaredMimeType;
    const record: FileRecord = {
      id: staged.id,
      purpose: input.purpose,
      filename: staged.filename,
      bytes: staged.bytes,
      mime_type: staged.mimeType,
      sha256: staged.sha256,
      blob_key: staged.blobKey,
      metadata: JSON.stringify(metadata),
      api_key_id: input.apiKeyId ?? null,
      job_id: input.jobId ?? null,
      created_at: staged.createdAt,
      expires_at: input.expiresAt ?? null,
    };
    try {
      await this.repository.insert(record);
    } catch (error) {
      await this.discard(staged);
      throw error;
    }
    return record;
  }

  async discard(staged: StagedFile): Promise<void> {
    await this.blobs.delete(staged.blobKey);
  }

  async create(input: CreateFileInput): Promise<FileRecord> {
    return this.commit(await this.stage(input), input);
  }

  /** For generated outputs already in memory. */
  async createFromBuffer(
    input: Omit<CreateFileInput, 'body' | 'maxBytes'> & { data: Buffer },
  ): Promise<FileRecord> {
    const { data, ...rest } = input;
    return this.create({ ...rest, body: Readable.from([data]), maxBytes: data.length });
  }

  async get(id: string, access: FileAccess = {}): Promise<FileRecord> {
    const record = await this.repository.get(id);
    // Another key's file is reported missing, not forbidden: its existence is not ours to reveal. An expired
    // file is gone already, whether or not the hourly sweep has deleted it yet.
    if (
      !record ||
      (access.ownerKeyId !== undefined && record.api_key_id !== access.ownerKeyId) ||
      (record.expires_at !== null && record.expires_at <= this.clock())
    ) {
      throw new NotFoundError(`No file with id '${id}'.`, 'file_not_found', 'id');
    }
    return record;
  }

  async list(query: FileListQuery): Promise<FileListPage> {
    const page = await this.repository.list({ ...query, unexpiredAt: this.clock() });
    if (!page) throw new InvalidRequestError(`No file with id '${query.after}' to list after.`, 'after');
    return page;
  }

  /** Add keys to a file's metadata (the bytes never change, so facts learned about them stay true). */
  async mergeMetadata(id: string, patch: Record<string, unknown>): Promise<void> {
    const record = await this.get(id);
    const metadata = { ...(JSON.parse(record.metadata) as Record<string, unknown>), ...patch };
    await this.repository.setMetadata(id, JSON.stringify(metadata));
  }

  async delete(id: string, access: FileAccess = {}): Promise<FileRecord> {
    const record = await this.get(id, access);
    if (!(await this.remove(record))) {
      throw new NotFoundError(`No file with id '${id}'.`, 'file_not_found', 'id');
    }
    return record;
  }

  /** Delete up to `limit` expired files, rows and bytes, and say how many went: the sweep calls it in rounds. */
  async deleteExpired(limit: number): Promise<number> {
    let deleted = 0;
    for (const record of await this.repository.listExpired(this.clock(), limit)) {
      if (await this.remove(record)) deleted += 1;
    }
    return deleted;
  }

  /**
   * Remove the row first, so the file disappears at once; then its bytes. False when the row was gone
   * already: whoever removed it removes the bytes too.
   */
  private async remove(record: FileRecord): Promise<boolean> {
    if (!(await this.repository.delete(record.id))) return false;
    await this.blobs.delete(record.blob_key);
    return true;
  }

  async open(
    id: string,
    range?: ByteRange,
    access: FileAccess = {},
  ): Promise<{ record: FileRecord; stream: Readable }> {
    const record = await this.get(id, access);
    return { record, stream: await this.openBlob(record, range) };
  }

  /** The bytes of a file already looked up. */
  async openBlob(record: FileRecord, range?: ByteRange): Promise<Readable> {
    return this.blobs.get(record.blob_key, range);
  }

  /** A local path holding the file's bytes, for tools that need one (FFmpeg). */
  async localPath(id: string, directory: string, access: FileAccess = {}): Promise<string> {
    const record = await this.get(id, access);
    return this.blobs.localPath(record.blob_key, directory);
  }

  present(record: FileRecord, baseUrl = ''): FileObject {
    return {
      id: record.id,
      object: 'file',
      bytes: record.bytes,
      created_at: Math.floor(record.created_at / 1000),
      expires_at: record.expires_at === null ? null : Math.floor(record.expires_at / 1000),
      filename: record.filename,
      purpose: record.purpose,
      status: 'processed',
      mime_type: record.mime_type,
      metadata: JSON.parse(record.metadata) as Record<string, unknown>,
      job_id: record.job_id,
      url: `${baseUrl}/v1/files/${record.id}/content`,
    };
  }
}

/** `files/<yyyy>/<mm>/<id>`: dated folders keep any one directory (or listing prefix) small. */
function blobKeyFor(id: string, createdAt: number): string {
  const date = new Date(createdAt);
  const month = String(date.getUTCMonth() + 1).padStart(2, '0');
  return `files/${date.getUTCFullYear()}/${month}/${id}`;
}
