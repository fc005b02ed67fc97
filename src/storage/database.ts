/**
 * One query layer over SQLite (embedded, better-sqlite3) and PostgreSQL (scaled out, pg). Migrations run
 * when the database is opened.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql } from 'kysely';
import { StaticMigrationProvider, type DialectName } from './migrations/index.js';
import type { DatabaseSchema } from './schema.js';

export type Database = Kysely<DatabaseSchema>;

export interface OpenedDatabase {
  db: Database;
  dialect: DialectName;
  /** The embedded database's own handle, for the one write hot enough to skip the query layer (usage rows). */
  sqlite?: SQLiteHandle;
  close(): Promise<void>;
}

export type SQLiteHandle = BetterSqlite3.Database;

export async function openDatabase(options: {
  url?: string;
  dataDir: string;
  poolSize?: number;
}): Promise<OpenedDatabase> {
  const isPostgres = options.url !== undefined && /^postgres(ql)?:\/\//.test(options.url);
  let db: Database;
  let sqliteHandle: SQLiteHandle | undefined;
  // Each driver is loaded only when used: an embedded install never pays for pg, nor a cluster for SQLite.
  if (isPostgres) {
    const { default: pg } = await import('pg');
    // PostgreSQL returns int8 as strings; our bigints are millisecond timestamps and counters below 2^53.
    pg.types.setTypeParser(20, (value) => Number(value));
    db = new Kysely<DatabaseSchema>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 20 }),
      }),
    });
  } else {
    const file = options.url?.startsWith('sqlite:')
      ? options.url.slice('sqlite:'.length)
      : `${options.dataDir}/atelier.db`;
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const { default: SQLite } = await import('better-sqlite3');
    const sqlite = new SQLite(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    // better-sqlite3 builds SQLite with a 16 MB page cache per connection, which usage rows fill within
    // minutes of traffic and keep for the life of the process. The hot pages here are the right edges of the
    // append-mostly tables and their indexes; everything else comes from the OS page cache. 2 MB is SQLite's
    // own default.
    sqlite.pragma('cache_size = -2000');
    db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: sqlite }) });
    sqliteHandle = sqlite;
  }
  const dialect: DialectName = isPostgres ? 'postgres' : 'sqlite';
  // Kysely looks for its migration tables in any schema unless told which: name ours, so a database shared
  // with other schemas (search_path) never mistakes someone else's tables for Atelier's.
  const migrationTableSchema = isPostgres
    ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema
    : undefined;
  const migrator = new Migrator({ db, provider: new StaticMigrationProvider(dialect), migrationTableSchema });
  const { error } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    throw new Error(`database migration failed: ${(error as Error).message}`, { cause: error });
  }
  return { db, dialect, sqlite: sqliteHandle, close: () => db.destroy() };
}
