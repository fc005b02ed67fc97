/* eslint-disable @typescript-eslint/no-explicit-any -- response bodies are inspected structurally */
/**
 * Nothing lost: a server running video jobs is killed with SIGKILL, restarted on the same data, and every
 * job still ends exactly once — with the embedded driver and with BullMQ.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/storage/index.js';
import { createTestDatabase, isPostgresAvailable } from '../../support/databases.js';
import { deleteRedisPrefix, isRedisAvailable, redisUrl } from '../../support/redis.js';
import { startServerProcess } from '../../support/server-process.js';

const postgres = await isPostgresAvailable();
const redis = await isRedisAvailable();
const key = 'atl_crash_test_key_0123456789';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

async function startServer(
  configPath: string,
  environment: Record<string, string>,
): Promise<{ url: string; child: ChildProcess }> {
  const started = await startServerProcess(
    ['--import', 'tsx', 'src/main.ts', 'serve', '--config', configPath],
    environment,
  );
  children.push(started.child);
  return started;
}

async function api(url: string, path: string, body?: unknown) {
  const response = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return (await response.json()) as Record<string, any>;
}

describe.each([
  { name: 'embedded driver (SQLite)', bull: false, database: 'sqlite' as const, available: true },
  {
    name: 'BullMQ driver (PostgreSQL + Redis)',
    bull: true,
    database: 'postgres' as const,
    available: redis && postgres,
  },
])('SIGKILL while jobs run: $name', ({ bull, database, available }) => {
  it.skipIf(!available)(
    'finishes every job exactly once after a restart',
    async () => {
      const testDatabase = await createTestDatabase(database);
      const dataDir = mkdtempSync(join(tmpdir(), 'atelier-crash-'));
      const prefix = `atelier-crash-${randomBytes(4).toString('hex')}`;
      const configPath = join(dataDir, 'atelier.toml');
      writeFileSync(
        configPath,
        [
          'log_level = "info"',
          '[jobs]',
          'lease_ms = 2000',
          'poll_interval_ms = 200',
          `redis_prefix = "${prefix}"`,
          '[[providers]]',
          'id = "draft"',
          'type = "draft"',
          'models = ["draft-video"]',
          '  [providers.options]',
          '  generation_ms = 2500',
        ].join('\n'),
      );
      const environment: Record<string, string> = {
        ATELIER_PORT: '0',
        ATELIER_DATA_DIR: dataDir,
        ATELIER_BOOTSTRAP_API_KEY: key,
        ...(testDatabase.url ? { DATABASE_URL: testDatabase.url } : {}),
        ...(bull ? { REDIS_URL: redisUrl } : {}),
      };
      try {
        const first = await startServer(configPath, environment);
        const ids: string[] = [];
        for (let index = 0; index < 6; index++) {
          ids.push(
            (
              await api(first.url, '/v1/videos', {
                model: 'draft-video',
                prompt: `crash ${index}`,
                seconds: 1,
                size: '160x120',
              })
            ).id as string,
          );
        }
        await expect
          .poll(async () => (await api(first.url, '/v1/jobs?status=running')).data.length, {
            timeout: 15_000,
          })
          .toBeGreaterThan(0);
        first.child.kill('SIGKILL');
        await new Promise((resolve) => first.child.once('exit', resolve));

        const second = await startServer(configPath, environment);
        await expect
          .poll(
            async () =>
              (await Promise.all(ids.map((id) => api(second.url, `/v1/jobs/${id}`)))).map(
                (job) => job.status,
              ),
            { timeout: 60_000, interval: 500 },
          )
          .toEqual(ids.map(() => 'succeeded'));
        for (const id of ids) {
          const video = await fetch(`${second.url}/v1/videos/${id}/content`, {
            headers: { authorization: `Bearer ${key}` },
          });
          expect(video.headers.get('content-type')).toBe('video/mp4');
        }
        second.child.kill('SIGTERM');
        await new Promise((resolve) => second.child.once('exit', resolve));

        const opened = await openDatabase({ url: testDatabase.url, dataDir });
        try {
          const events = await opened.db
            .selectFrom('job_events')
            .select(['job_id', 'type'])
            .where('job_id', 'in', ids)
            .execute();
          for (const id of ids) {
            const terminal = events.filter(
              (event) =>
                event.job_id === id && ['job.succeeded', 'job.failed', 'job.canceled'].includes(event.type),
            );
            expect(terminal.map((event) => event.type)).toEqual(['job.succeeded']);
          }
          const outputs = await opened.db
            .selectFrom('files')
            .select(['job_id'])
            .where('job_id', 'in', ids)
            .execute();
          expect(outputs).toHaveLength(ids.length);
        } finally {
          await opened.close();
        }
      } finally {
        await testDatabase.drop();
        if (bull) await deleteRedisPrefix(prefix);
      }
    },
    120_000,
  );
});
