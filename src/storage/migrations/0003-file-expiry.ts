/** An index for the hourly sweep of expired files, which would otherwise read the whole files table. */
import type { Kysely, Migration } from 'kysely';

export const fileExpiry: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.createIndex('files_expires').on('files').column('expires_at').execute();
  },
};
