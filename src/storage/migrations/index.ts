/** Schema migrations, run at start, in name order; each is written once for both dialects. */
import type { Migration, MigrationProvider } from 'kysely';
import { gatewayCore } from './0001-gateway-core.js';
import { jobsFilesWebhooks } from './0002-jobs-files-webhooks.js';
import { fileExpiry } from './0003-file-expiry.js';
import type { DialectName } from './dialect.js';

export type { DialectName } from './dialect.js';

export class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: DialectName) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return {
      '0001_gateway_core': gatewayCore(this.dialect),
      '0002_jobs_files_webhooks': jobsFilesWebhooks(this.dialect),
      '0003_file_expiry': fileExpiry,
    };
  }
}
