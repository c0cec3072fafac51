import type { ClickHouseClient } from '@clickhouse/client';
import { createDatabaseSql, createTableSql } from './ddl';
import { convertFloatToDecimal, isFloatToDecimal } from './decimal-migration';
import { physicalColumns, type PhysicalColumn } from './columns';
import { qualified, sqlIdentifier } from './identifiers';
import { MIGRATIONS, type Migration, type MigrationContext } from './migrations';
import type { SchemaMigrationRow } from './records';
import { rekeyTable } from './rekey';
import { insertRows, selectRows } from './table-io';
import { SCHEMA_MIGRATIONS_TABLE, type TableDef } from './tables';

export interface MigrationResult {
  database: string;
  /** migrations applied by this call, in order; empty when the store was up to date */
  applied: Array<{ version: number; name: string }>;
  /** the store's schema version after this call */
  version: number;
}

/** The table's physical columns in declaration order, each with the field it stores. */
function declaredColumns(def: TableDef): Array<PhysicalColumn & { field: string }> {
  return [...def.fields, ...def.stamps].flatMap((f) => physicalColumns(f.kind, sqlIdentifier(f.column, 'column')).map((c) => ({ ...c, field: f.field })));
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
      // placed after the column declared before it, so a migrated table has a fresh table's column order
      const columns = declaredColumns(def);
      const at = columns.findIndex((c) => c.field === field);
      if (at < 0) throw new Error(`migration: ${def.name} declares no field ${field}; declare it in src/storage/tables.ts first`);
      for (let i = at; i < columns.length && columns[i].field === field; i++) {
        const c = columns[i];
        if (await ctx.columnExists(def.name, c.name)) continue;
        const dflt = c.serverDefault ? ` DEFAULT ${c.serverDefault}` : '';
        const after = i > 0 ? ` AFTER ${columns[i - 1].name}` : '';
        await ctx.exec(`ALTER TABLE ${qualified(database, def.name)} ADD COLUMN ${c.name} ${c.type}${dflt}${after}`);
      }
    },
    async modifyColumn(def: TableDef, field: string) {
      const columns = declaredColumns(def).filter((c) => c.field === field);
      if (columns.length === 0) throw new Error(`migration: ${def.name} declares no field ${field}; declare it in src/storage/tables.ts first`);
      for (const c of columns) {
        const current = await ctx.columnType(def.name, c.name);
        if (current === undefined) throw new Error(`migration: ${qualified(database, def.name)} has no column ${c.name} to change; add it with addColumn`);
        if (current === c.type) continue;
        if (isFloatToDecimal(current, c.type)) {
          await convertFloatToDecimal(ctx, def.name, c.name, current, c.type);
          continue;
        }
        await ctx.exec(`ALTER TABLE ${qualified(database, def.name)} MODIFY COLUMN ${c.name} ${c.type}`);
      }
    },
    rekeyTable(def: TableDef, timeColumn: string) {
      return rekeyTable(client, database, def, timeColumn);
    },
    async columnExists(table, column) {
      return (await ctx.columnType(table, column)) !== undefined;
    },
    async columnType(table, column) {
      // identifiers were validated, and system.columns filters on literals only
      const result = await client.query({
        query: `SELECT type FROM system.columns WHERE database = '${sqlIdentifier(database, 'database')}' AND table = '${sqlIdentifier(table, 'table')}' AND name = '${sqlIdentifier(column, 'column')}'`,
        format: 'JSONEachRow',
      });
      const [row] = await result.json<{ type: string }>();
      return row?.type;
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
