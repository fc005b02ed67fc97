/** Providers and credentials managed through the admin API (the config file's stay in the file). */
import type { Database } from '../database.js';
import type { CredentialTable, ProviderTable } from '../schema.js';

export type ProviderRecord = ProviderTable;
export type CredentialRecord = CredentialTable;

export class ProviderRepository {
  constructor(private readonly db: Database) {}

  listProviders(): Promise<ProviderRecord[]> {
    return this.db.selectFrom('providers').selectAll().orderBy('created_at').execute();
  }

  getProvider(id: string): Promise<ProviderRecord | undefined> {
    return this.db.selectFrom('providers').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async insertProvider(record: ProviderRecord): Promise<void> {
    await this.db.insertInto('providers').values(record).execute();
  }

  async updateProvider(
    id: string,
    changes: Partial<Omit<ProviderRecord, 'id' | 'created_at'>>,
  ): Promise<void> {
    await this.db.updateTable('providers').set(changes).where('id', '=', id).execute();
  }

  async deleteProvider(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (transaction) => {
      await transaction.deleteFrom('credentials').where('provider_id', '=', id).execute();
      const result = await transaction.deleteFrom('providers').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  listCredentials(providerId?: string): Promise<CredentialRecord[]> {
    let query = this.db.selectFrom('credentials').selectAll();
    if (providerId) query = query.where('provider_id', '=', providerId);
    return query.orderBy('created_at').execute();
  }

  getCredential(id: string): Promise<CredentialRecord | undefined> {
    return this.db.selectFrom('credentials').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async insertCredential(record: CredentialRecord): Promise<void> {
    await this.db.insertInto('credentials').values(record).execute();
  }

  async updateCredential(
    id: string,
    changes: Partial<Omit<CredentialRecord, 'id' | 'provider_id'>>,
  ): Promise<void> {
    await this.db.updateTable('credentials').set(changes).where('id', '=', id).execute();
  }

  async deleteCredential(id: string): Promise<boolean> {
    const result = await this.db.deleteFrom('credentials').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }
}
