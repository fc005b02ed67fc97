/** Keys, providers, credentials, credential health and usage records. */
import type { Kysely, Migration } from 'kysely';
import { autoIncrementColumn, type DialectName } from './dialect.js';

export function gatewayCore(dialect: DialectName): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('prefix', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull().unique())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addColumn('revoked_at', 'bigint')
        .execute();
      await db.schema
        .createTable('providers')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('base_url', 'text')
        .addColumn('models', 'text', (c) => c.notNull())
        .addColumn('proxy', 'text')
        .addColumn('timeout_ms', 'integer')
        .addColumn('headers', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('credentials')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('provider_id', 'text', (c) => c.notNull().references('providers.id').onDelete('cascade'))
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('secret_kind', 'text', (c) => c.notNull())
        .addColumn('weight', 'real', (c) => c.notNull())
        .addColumn('priority', 'integer', (c) => c.notNull())
        .addColumn('max_concurrency', 'integer', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('credentials_provider').on('credentials').column('provider_id').execute();
      await db.schema
        .createTable('credential_state')
        .addColumn('credential_id', 'text', (c) => c.primaryKey())
        .addColumn('disabled_reason', 'text')
        .addColumn('disabled_at', 'bigint')
        .addColumn('cooldown_until', 'bigint')
        .addColumn('consecutive_failures', 'integer', (c) => c.notNull())
        .addColumn('total_requests', 'bigint', (c) => c.notNull())
        .addColumn('total_failures', 'bigint', (c) => c.notNull())
        .addColumn('last_error', 'text')
        .addColumn('last_error_at', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('usage_records')
        .addColumn(...autoIncrementColumn(dialect))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('api_key_id', 'text')
        .addColumn('protocol', 'text', (c) => c.notNull())
        .addColumn('requested_model', 'text', (c) => c.notNull())
        .addColumn('provider_id', 'text')
        .addColumn('upstream_model', 'text')
        .addColumn('credential_id', 'text')
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('error_kind', 'text')
        .addColumn('stream', 'integer', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('latency_ms', 'integer', (c) => c.notNull())
        .addColumn('input_tokens', 'integer', (c) => c.notNull())
        .addColumn('output_tokens', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('usage_records_created').on('usage_records').column('created_at').execute();
    },
  };
}
