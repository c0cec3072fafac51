import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import { qualified } from './identifiers';
import { jsonEachRow } from './json-each-row';
import { onePerKeySql } from './per-key';
import { fromStoreRow, insertedColumns, selectList, toStoreRow } from './row-codec';
import { isBatchTableDef, type TableDef } from './tables';

/**
 * Reading and writing declared tables: values travel as JSONEachRow data, never in SQL text.
 * Callers wrap failures with storeError (src/storage/errors.ts), since they know which store they talk to.
 */
export async function insertRows(client: ClickHouseClient, database: string, def: TableDef, rows: readonly object[]): Promise<void> {
  if (rows.length === 0) return;
  const { query, body } = insertStatement(database, def, rows);
  await insertBody(client, query, body);
}

/** Sends an INSERT … FORMAT JSONEachRow statement with its body, and waits for the store to take it. */
export async function insertBody(client: ClickHouseClient, query: string, body: string): Promise<void> {
  const result = await client.exec({ query, values: Readable.from([body]) });
  result.stream.resume(); // nothing to read; drain so the socket goes back to the pool
  await new Promise<void>((resolve, reject) => {
    result.stream.once('end', resolve).once('error', reject);
  });
}

/**
 * The INSERT statement and JSONEachRow body for rows of a declared table: exactly what a store receives.
 * The statement names its columns, so the store fills every column left out (inserted_at, applied_at) with its
 * DEFAULT: ClickHouse 18.16 gives an omitted JSONEachRow field the type's zero value (the ledger's inserted_at
 * was 0000-00-00) unless the INSERT lists the columns it sends. Bad rows throw BadRowError.
 */
export function insertStatement(database: string, def: TableDef, rows: readonly object[]): { query: string; body: string } {
  const body = jsonEachRow(rows.map((row, i) => toStoreRow(def, row, i)));
  return { query: `INSERT INTO ${qualified(database, def.name)} (${insertedColumns(def).join(', ')}) FORMAT JSONEachRow`, body };
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
