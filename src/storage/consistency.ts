import type { ClickHouseClient } from '@clickhouse/client';
import { batchTableDef, timeColumnOf } from './batch-tables';
import type { BatchTable } from '../domain/batch';
import { checksumSql } from './checksum';
import { qualified } from './identifiers';
import { keyHashesSql } from './per-key';
import { BATCHES_TABLE, dayPartition } from './tables';

/**
 * What one store holds of one table, in a form two stores can compare without moving rows: per UTC day
 * (the partition), the row count and the order-independent checksum (src/storage/checksum.ts) over each
 * row's own fields, i.e. its natural key and values. Batch ids and ingest times are left out on purpose:
 * they legitimately differ between stores (a repaired copy is ingested later). One row counts per natural key
 * (src/storage/per-key.ts), so a row that several batches hold does not count twice.
 */
export interface DayDigest {
  /** YYYYMMDD (UTC) of the table's time column (event_time; from_time / received_at for bookkeeping tables) */
  day: number;
  rows: number;
  checksum: string;
}

export interface Digest {
  rows: number;
  checksum: string;
}

const MOD = 2n ** 64n;

/** Sum of digests, with the checksum summed mod 2^64 like the SQL aggregate. */
export function totalDigest(parts: readonly Digest[]): Digest {
  let sum = 0n;
  let rows = 0;
  for (const p of parts) {
    sum = (sum + BigInt(p.checksum)) % MOD;
    rows += p.rows;
  }
  return { rows, checksum: sum.toString() };
}

/** `<time column> >= sinceMs`, validated (the value goes into SQL text). */
export function sinceCondition(table: BatchTable, sinceMs: number): string {
  if (!Number.isSafeInteger(sinceMs) || sinceMs < 0) throw new RangeError(`since ${sinceMs} is not an epoch ms timestamp`);
  return `${timeColumnOf(table)} >= ${sinceMs}`;
}

/**
 * Per-day digests of a market or bookkeeping table, for rows whose time column is >= sinceMs: one row per
 * natural key (the copy in the greatest batch id, src/storage/per-key.ts), so a natural key that two batches
 * hold counts once, and alike in every store that holds the same batches.
 */
export async function tableDigest(client: ClickHouseClient, database: string, table: BatchTable, sinceMs = 0): Promise<DayDigest[]> {
  const def = batchTableDef(table);
  const perKey = keyHashesSql(database, def, sinceCondition(table, sinceMs), { digest_day: `toUInt32(${dayPartition(timeColumnOf(table))})` });
  const query = [
    `SELECT digest_day AS day, toString(count()) AS digest_rows, toString(sum(row_hash)) AS digest_checksum`,
    `FROM (${perKey})`,
    'GROUP BY day ORDER BY day',
  ].join(' ');
  const result = await client.query({ query, format: 'JSONEachRow' });
  const raw = await result.json<{ day: number | string; digest_rows: string; digest_checksum: string }>();
  return raw.map((r) => ({ day: Number(r.day), rows: Number(r.digest_rows), checksum: r.digest_checksum }));
}

/**
 * What the ledger digest covers: (batch id, table, rows, checksum) of each entry. Not the store's own insert time
 * (a repaired copy is recorded later than the original), nor the cheap hash (records.ts: stores learn it at
 * different times, and an entry without one says the same batch).
 */
const LEDGER_DIGEST_DEF = { ...BATCHES_TABLE, fields: BATCHES_TABLE.fields.filter((f) => f.field !== 'hash') };

/**
 * Digest of the batch ledger: count and checksum over LEDGER_DIGEST_DEF of every entry, optionally of one
 * table's batches and of entries written since `sinceMs`.
 */
export async function ledgerDigest(client: ClickHouseClient, database: string, table?: BatchTable, sinceMs = 0): Promise<Digest> {
  const conditions = [
    ...(table ? [`table_name = '${batchTableDef(table).name}'`] : []),
    ...(sinceMs > 0 ? [`inserted_at >= toDateTime(${Math.floor(sinceMs / 1000)})`] : []),
  ];
  const where = conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
  // aliases must not be column names of the table (`rows`, `checksum`): ClickHouse would substitute them
  const query = `SELECT toString(count()) AS digest_rows, toString(${checksumSql(LEDGER_DIGEST_DEF)}) AS digest_checksum FROM ${qualified(database, BATCHES_TABLE.name)} FINAL${where}`;
  const result = await client.query({ query, format: 'JSONEachRow' });
  const [row] = await result.json<{ digest_rows: string; digest_checksum: string }>();
  return { rows: Number(row.digest_rows), checksum: row.digest_checksum };
}
