import type { Database } from '../database.js';
import type { CredentialStateTable } from '../schema.js';

export type CredentialStateRecord = CredentialStateTable;

export class CredentialStateRepository {
  constructor(private readonly db: Database) {}

  list(): Promise<CredentialStateRecord[]> {
    return this.db.selectFrom('credential_state').selectAll().execute();
  }

  /** Write many states in one transaction (the pool flushes changed states in batches). */
  async upsertMany(records: CredentialStateRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.db.transaction().execute(async (transaction) => {
      for (const record of records) {
        const { credential_id: _id, ...changes } = record;
        await transaction
          .insertInto('credential_state')
          .values(record)
          .onConflict((conflict) => conflict.column('credential_id').doUpdateSet(changes))
          .execute();
      }
    });
  }
}
