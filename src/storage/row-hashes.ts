import type { ClickHouseClient } from '@clickhouse/client';
import { batchTableDef, timeColumnOf } from './batch-tables';
import type { BatchTable } from '../domain/batch';
import { rowHashExpr } from './checksum';
import { keyHashesSql } from './per-key';
import { selectRows } from './table-io';
import { dayPartition } from './tables';

/**
 * Row-level views of one table's day (its partition), for finding which rows two stores disagree on without
 * moving the rows themselves: each row is named by its hash, the same per-row term the checksum sums
 * (src/storage/checksum.ts), so equal hashes mean equal natural key and values.
 */

/** SQL of one row's hash: the checksum's per-row term (src/storage/checksum.ts). */
export function rowHashSql(table: BatchTable): string {
  return rowHashExpr(batchTableDef(table));
}

/** `<day of time column> = day`, with the day checked (it goes into SQL text). */
export function dayCondition(table: BatchTable, day: number): string {
  if (!Number.isInteger(day) || day < 19_700_101 || day > 99_991_231) throw new RangeError(`day ${day} is not a YYYYMMDD day`);
  return `${dayPartition(timeColumnOf(table))} = ${day}`;
}

/** A row hash as SQL text: a UInt64 in decimal, nothing else. */
function hashLiteral(hash: string): string {
  if (!/^\d{1,20}$/.test(hash)) throw new RangeError(`row hash '${hash}' is not a UInt64`);
  return hash;
}

/**
 * The hashes (UInt64 as decimal strings) of a table's day, one per natural key (the copy in the greatest batch id,
 * src/storage/per-key.ts), optionally filtered further (before that choice).
 */
export async function dayRowHashes(client: ClickHouseClient, database: string, table: BatchTable, day: number, where?: string): Promise<string[]> {
  const perKey = keyHashesSql(database, batchTableDef(table), `${dayCondition(table, day)}${where ? ` AND ${where}` : ''}`);
  const result = await client.query({ query: `SELECT toString(row_hash) AS row_hash_text FROM (${perKey})`, format: 'JSONEachRow' });
  return (await result.json<{ row_hash_text: string }>()).map((r) => r.row_hash_text);
}

/**
 * The rows (as TS rows, with their stamps) of a table's day whose hashes are listed, one per natural key: a row
 * held in several batches alike is read once.
 */
export function rowsByHash<R>(client: ClickHouseClient, database: string, table: BatchTable, day: number, hashes: readonly string[]): Promise<R[]> {
  if (hashes.length === 0) return Promise.resolve([]);
  const where = `${dayCondition(table, day)} AND ${rowHashSql(table)} IN (${hashes.map(hashLiteral).join(', ')})`;
  return selectRows<R>(client, database, batchTableDef(table), { where });
}
