import type { ColumnKind } from '../../src/storage/columns';
import { MIGRATIONS, type Migration } from '../../src/storage/migrations';
import { EXACT_DECIMALS_VERSION, MARKET_TABLES, SCHEMA_TABLES, type TableDef } from '../../src/storage/tables';
import type { DataType } from '../../src/domain/data-types';

/**
 * The schema as versions 1-3 left it, before migration 4 made prices, amounts and levels Decimal(38, 18):
 * the same declarations with Float64 kinds, and ticker.last and funding_rate.funding_time not yet nullable
 * (migration 6). Rows written through these definitions go in as JSON numbers and are checksummed over IEEE
 * bits, exactly as the write path did then.
 */
const FLOAT_KIND: Partial<Record<ColumnKind, ColumnKind>> = { decimal: 'float64', nullableDecimal: 'nullableFloat64', levels: 'floatLevels' };
const BEFORE_6: Partial<Record<string, Record<string, ColumnKind>>> = { ticker: { last: 'float64' }, funding_rate: { fundingTime: 'uint64' } };

export function v3Def(def: TableDef): TableDef {
  const before6 = BEFORE_6[def.name] ?? {};
  return { ...def, fields: def.fields.map((f) => ({ ...f, kind: before6[f.field] ?? FLOAT_KIND[f.kind] ?? f.kind })) };
}

export const V3_MARKET_TABLES = Object.fromEntries(Object.entries(MARKET_TABLES).map(([t, def]) => [t, v3Def(def)])) as Record<DataType, TableDef>;

/** Migrations 1-3 as a store at version 3 has them: version 1 creates the version 3 tables, 2 and 3 find nothing to do. */
export const V3_MIGRATIONS: Migration[] = MIGRATIONS.filter((m) => m.version < EXACT_DECIMALS_VERSION).map((m) =>
  m.version === 1
    ? { ...m, async up(ctx) { for (const def of SCHEMA_TABLES) await ctx.createTable(V3_MARKET_TABLES[def.name as DataType] ?? def); } }
    : { ...m, async up() {} },
);
