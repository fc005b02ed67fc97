/**
 * The files routes on a real listening Fastify server, with the app's real error handler and a stand-in for
 * the authentication hook: `Bearer admin` is an admin key, any other bearer token a client key of that name.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { AuthenticationError } from '../../../src/errors/index.js';
import { FileService } from '../../../src/files/file-service.js';
import { renderError, renderNotFound } from '../../../src/http/error-handler.js';
import { registerFiles } from '../../../src/http/routes/files/files.js';
import { FsBlobStore } from '../../../src/storage/blobs/fs-blob-store.js';
import { openDatabase, type OpenedDatabase } from '../../../src/storage/database.js';
import { FileRepository } from '../../../src/storage/repositories/file-repository.js';

export interface FilesApp {
  app: FastifyInstance;
  baseUrl: string;
  files: FileService;
  /** The rows and bytes behind `files`, for tests that look underneath it. */
  repository: FileRepository;
  blobs: FsBlobStore;
  blobRoot: string;
  close(): Promise<void>;
}

export async function startFilesApp(options: {
  maxUploadBytes: number;
  clock?: () => number;
}): Promise<FilesApp> {
  const directory = mkdtempSync(join(tmpdir(), 'atelier-files-app-'));
  const opened: OpenedDatabase = await openDatabase({ dataDir: directory });
  const blobRoot = join(directory, 'blobs');
  const repository = new FileRepository(opened.db);
  const blobs = new FsBlobStore(blobRoot);
  const files = new FileService(repository, blobs, options.clock);

  // The tests' own client shares this event loop: it can read a whole answer before the server has seen its
  // response finish, and a connection that is not idle at close would keep close() waiting for keep-alive.
  const app = Fastify({ forceCloseConnections: true });
  app.decorateRequest('principal', undefined as never);
  app.addHook('onRequest', async (request) => {
    const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (!token) throw new AuthenticationError();
    request.principal =
      token === 'admin'
        ? { keyId: 'key_admin', name: 'admin', role: 'admin' }
        : { keyId: `key_${token}`, name: token, role: 'user' };
  });
  app.setErrorHandler((error, request, reply) => renderError(error, request, reply));
  app.setNotFoundHandler((request, reply) => renderNotFound(request, reply));
  registerFiles(app, files, { maxUploadBytes: options.maxUploadBytes });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;

  return {
    app,
    baseUrl: `http://127.0.0.1:${port}`,
    files,
    repository,
    blobs,
    blobRoot,
    async close() {
      await app.close();
      await opened.close();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
