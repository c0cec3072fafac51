import type { ClickHouseClient } from '@clickhouse/client';
import { qualified } from './identifiers';
import { fromStoreRow, selectList, toStoreRow } from './row-codec';
import { onePerKeySql } from './per-key';
import { isBatchTableDef, type TableDef } from './tables';

/**
 * Reading and writing declared tables: values travel as JSONEachRow data, never in SQL text.
 * Callers wrap failures with storeError (src/storage/errors.ts), since they know which store they talk to.
 */
export async function insertRows(client: ClickHouseClient, database: string, def: TableDef, rows: readonly object[]): Promise<void> {
  if (rows.length === 0) return;
  const values = rows.map((row, i) => toStoreRow(def, row, i));
  await client.insert({ table: qualified(database, def.name), values, format: 'JSONEachRow' });
}

/**
 * Rows of a table as TS rows. A table written in batches gives one row per natural key (the copy in the
 * greatest batch id: src/storage/per-key.ts); any other table is deduplicated on its sorting key (FINAL).
 * `where` filters the rows before that choice and is SQL built only from validated identifiers and literals
 * (see src/storage/identifiers.ts); `orderBy` orders the result (default: the natural key).
 */
export async function selectRows<R>(
  client: ClickHouseClient,
  database: string,
  def: TableDef,
  opts: { where?: string; orderBy?: string } = {},
): Promise<R[]> {
  const order = `ORDER BY ${opts.orderBy ?? def.naturalKey.join(', ')}`;
  const query = isBatchTableDef(def)
    ? `SELECT * FROM (${onePerKeySql(database, def, selectList(def), opts.where)}) ${order}`
    : [`SELECT ${selectList(def)} FROM ${qualified(database, def.name)} FINAL`, ...(opts.where ? [`WHERE ${opts.where}`] : []), order].join(' ');
  const result = await client.query({ query, format: 'JSONEachRow' });
  const raw = await result.json<Record<string, unknown>>();
  return raw.map((r) => fromStoreRow<R>(def, r));
}
