/**
 * The database drivers a test can run against: SQLite always; PostgreSQL when 127.0.0.1:5432 answers
 * (or TEST_DATABASE_URL points elsewhere). Each PostgreSQL use gets its own schema, dropped afterwards.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const postgresBaseUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

let postgresAvailable: Promise<boolean> | undefined;

export function isPostgresAvailable(): Promise<boolean> {
  postgresAvailable ??= (async () => {
    const client = new pg.Client({ connectionString: postgresBaseUrl, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      console.warn(
        `\n*** PostgreSQL is not reachable at ${postgresBaseUrl}: PostgreSQL variants of these tests are SKIPPED ***\n`,
      );
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return postgresAvailable;
}

export interface TestDatabase {
  name: 'sqlite' | 'postgres';
  url: string | undefined;
  dataDir: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(name: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  const dataDir = mkdtempSync(join(tmpdir(), 'atelier-test-'));
  if (name === 'sqlite') return { name, url: undefined, dataDir, drop: async () => undefined };
  const schema = `atelier_test_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const admin = new pg.Client({ connectionString: postgresBaseUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = `${postgresBaseUrl}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  return {
    name,
    url,
    dataDir,
    async drop() {
      const client = new pg.Client({ connectionString: postgresBaseUrl });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}
