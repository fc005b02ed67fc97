import { sql } from 'kysely';
import type { Database } from '../database.js';
import type { Selectable } from 'kysely';
import type { UsageTable } from '../schema.js';

export type UsageRecord = Omit<UsageTable, 'id'>;

export type UsageGrouping = 'model' | 'provider' | 'credential' | 'api_key' | 'status';

const groupColumns = {
  model: 'requested_model',
  provider: 'provider_id',
  credential: 'credential_id',
  api_key: 'api_key_id',
  status: 'status',
} as const;

export interface UsageSummaryRow {
  group: string | number | null;
  requests: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  average_latency_ms: number;
}

export class UsageRepository {
  constructor(private readonly db: Database) {}

  async insertMany(records: UsageRecord[]): Promise<void> {
    if (records.length === 0) return;
    // Chunked so one flush stays within SQLite's bound-parameter limit.
    for (let index = 0; index < records.length; index += 500) {
      await this.db
        .insertInto('usage_records')
        .values(records.slice(index, index + 500))
        .execute();
    }
  }

  async summarize(options: {
    groupBy: UsageGrouping;
    since: number;
    until: number;
  }): Promise<UsageSummaryRow[]> {
    const column = groupColumns[options.groupBy];
    const rows = await this.db
      .selectFrom('usage_records')
      .select([
        sql<string | number | null>`${sql.ref(column)}`.as('group'),
        sql<number>`count(*)`.as('requests'),
        sql<number>`sum(case when status >= 400 then 1 else 0 end)`.as('errors'),
        sql<number>`coalesce(sum(input_tokens), 0)`.as('input_tokens'),
        sql<number>`coalesce(sum(output_tokens), 0)`.as('output_tokens'),
        sql<number>`coalesce(avg(latency_ms), 0)`.as('average_latency_ms'),
      ])
      .where('created_at', '>=', options.since)
      .where('created_at', '<', options.until)
      .groupBy(sql.ref(column))
      .orderBy(sql`count(*)`, 'desc')
      .execute();
    return rows.map((row) => ({
      group: row.group,
      requests: Number(row.requests),
      errors: Number(row.errors),
      input_tokens: Number(row.input_tokens),
      output_tokens: Number(row.output_tokens),
      average_latency_ms: Math.round(Number(row.average_latency_ms)),
    }));
  }

  async recent(limit: number): Promise<Selectable<UsageTable>[]> {
    return this.db.selectFrom('usage_records').selectAll().orderBy('id', 'desc').limit(limit).execute();
  }
}
