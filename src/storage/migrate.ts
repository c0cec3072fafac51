import type { ClickHouseClient } from '@clickhouse/client';
import { createDatabaseSql, createTableSql } from './ddl';
import { physicalColumns } from './columns';
import { qualified, sqlIdentifier } from './identifiers';
import { MIGRATIONS, type Migration, type MigrationContext } from './migrations';
import type { SchemaMigrationRow } from './records';
import { insertRows, selectRows } from './table-io';
import { SCHEMA_MIGRATIONS_TABLE, type TableDef } from './tables';

export interface MigrationResult {
  database: string;
  /** migrations applied by this call, in order; empty when the store was up to date */
  applied: Array<{ version: number; name: string }>;
  /** the store's schema version after this call */
  version: number;
}

function context(client: ClickHouseClient, database: string): MigrationContext {
  const ctx: MigrationContext = {
    client,
    database,
    async exec(sql) {
      await client.command({ query: sql });
    },
    async createTable(def: TableDef) {
      await ctx.exec(createTableSql(database, def));
    },
    async addColumn(def: TableDef, field: string) {
      const declared = [...def.fields, ...def.stamps].find((f) => f.field === field);
      if (!declared) throw new Error(`migration: ${def.name} declares no field ${field}; declare it in src/storage/tables.ts first`);
      for (const c of physicalColumns(declared.kind, declared.column)) {
        if (await ctx.columnExists(def.name, c.name)) continue;
        const dflt = c.serverDefault ? ` DEFAULT ${c.serverDefault}` : '';
        await ctx.exec(`ALTER TABLE ${qualified(database, def.name)} ADD COLUMN ${c.name} ${c.type}${dflt}`);
      }
    },
    async columnExists(table, column) {
      // identifiers were validated, and system.columns filters on literals only
      const result = await client.query({
        query: `SELECT count() AS n FROM system.columns WHERE database = '${sqlIdentifier(database, 'database')}' AND table = '${sqlIdentifier(table, 'table')}' AND name = '${sqlIdentifier(column, 'column')}'`,
        format: 'JSONEachRow',
      });
      const [row] = await result.json<{ n: string | number }>();
      return Number(row.n) > 0;
    },
  };
  return ctx;
}

/**
 * Brings a store's schema up to date, idempotently: CREATE DATABASE / schema_migrations IF NOT EXISTS, then
 * every migration not yet recorded. Safe to run concurrently (statements are idempotent and the record is a
 * ReplacingMergeTree keyed on version). Failures propagate as thrown by the client.
 */
export async function migrateStore(client: ClickHouseClient, database: string, migrations: readonly Migration[] = MIGRATIONS): Promise<MigrationResult> {
  sqlIdentifier(database, 'database');
  const ctx = context(client, database);
  await ctx.exec(createDatabaseSql(database));
  await ctx.exec(createTableSql(database, SCHEMA_MIGRATIONS_TABLE));
  const done = new Set((await selectRows<SchemaMigrationRow>(client, database, SCHEMA_MIGRATIONS_TABLE)).map((m) => m.version));
  const applied: MigrationResult['applied'] = [];
  for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
    if (done.has(migration.version)) continue;
    await migration.up(ctx);
    await insertRows(client, database, SCHEMA_MIGRATIONS_TABLE, [{ version: migration.version, name: migration.name }]);
    applied.push({ version: migration.version, name: migration.name });
    done.add(migration.version);
  }
  return { database, applied, version: Math.max(0, ...done) };
}
