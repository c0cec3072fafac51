import type { ClickHouseClient } from '@clickhouse/client';
import { batchTableDef, timeColumnOf } from './batch-tables';
import type { BatchTable } from '../domain/batch';
import { checksumSql } from './checksum';
import { qualified } from './identifiers';
import { selectRows } from './table-io';
import { dayPartition } from './tables';

/**
 * Row-level views of one table's day (its partition), for finding which rows two stores disagree on without
 * moving the rows themselves: each row is named by its hash, the same per-row term the checksum sums
 * (src/storage/checksum.ts), so equal hashes mean equal natural key and values.
 */

/** SQL of one row's hash: the checksum's per-row term, i.e. checksumSql without its sum(). */
export function rowHashSql(table: BatchTable): string {
  const sum = checksumSql(batchTableDef(table));
  const inner = /^sum\((.+)\)$/s.exec(sum);
  if (!inner) throw new Error(`checksumSql(${table}) is not a sum of row hashes: ${sum}`);
  return inner[1];
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

/** The hashes (UInt64 as decimal strings) of every row (FINAL) of a table's day, optionally filtered further. */
export async function dayRowHashes(client: ClickHouseClient, database: string, table: BatchTable, day: number, where?: string): Promise<string[]> {
  const def = batchTableDef(table);
  const query = `SELECT toString(${rowHashSql(table)}) AS row_hash FROM ${qualified(database, def.name)} FINAL WHERE ${dayCondition(table, day)}${where ? ` AND ${where}` : ''}`;
  const result = await client.query({ query, format: 'JSONEachRow' });
  return (await result.json<{ row_hash: string }>()).map((r) => r.row_hash);
}

/** The rows (as TS rows, with the stamps of tables that have them) of a table's day whose hashes are listed. */
export function rowsByHash<R>(client: ClickHouseClient, database: string, table: BatchTable, day: number, hashes: readonly string[]): Promise<R[]> {
  if (hashes.length === 0) return Promise.resolve([]);
  const where = `${dayCondition(table, day)} AND ${rowHashSql(table)} IN (${hashes.map(hashLiteral).join(', ')})`;
  return selectRows<R>(client, database, batchTableDef(table), { where });
}
