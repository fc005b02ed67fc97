import type { ColumnDefinitionBuilder } from 'kysely';

export type DialectName = 'sqlite' | 'postgres';

/** An auto-incrementing integer primary key named `id`, spelled as each dialect wants it. */
export function autoIncrementColumn(
  dialect: DialectName,
): ['id', 'bigserial' | 'integer', (column: ColumnDefinitionBuilder) => ColumnDefinitionBuilder] {
  return dialect === 'postgres'
    ? ['id', 'bigserial', (column) => column.primaryKey()]
    : ['id', 'integer', (column) => column.primaryKey().autoIncrement()];
}
