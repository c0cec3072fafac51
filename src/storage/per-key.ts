import { rowHashExpr } from './checksum';
import { batchIdLiteral, qualified } from './identifiers';
import { BATCH_ID_COLUMN, type TableDef } from './tables';

/**
 * How tables written in batches are read, without FINAL. Their sorting key is (natural key, batch_id) since
 * migration 5, so a store keeps one row per natural key *per batch*: a trade fetched by two collectors (or
 * refetched after a restart) sits in both batches, and neither batch loses it to the other in a merge
 * (ClickHouse #23702, #2386: FINAL and merges keep one row per sorting key). A retried insert of the same batch
 * still collapses: its rows have the same sorting key. Readers pick one of two views:
 *
 * - per batch (copy and verify against the ledger): the batch's rows, one per natural key (duplicates of a
 *   retried insert are identical, whichever is read). batchRowsSql, batchSummarySql.
 * - per natural key (what the data says: replicas check, row differences, tests, queries by hand): one row
 *   per natural key, the copy with the greatest batch id. Copies of a natural key hold the same values apart
 *   from the receive time, so any fixed rule would do; this one picks the same row in every store that holds
 *   the same batches, whatever order they arrived in. onePerKeySql, keyHashesSql.
 *
 * Everything here is SQL text over validated identifiers and literals (src/storage/identifiers.ts); it runs on
 * ClickHouse 18.16 (LIMIT n BY, argMax) and on current releases. docs/storage.md, "Reading without duplicates".
 */

function whereClause(where: string | undefined): string[] {
  return where ? [`WHERE ${where}`] : [];
}

/**
 * SELECT `columns` of one row per natural key of a batch table (the copy in the greatest batch id), among the
 * rows `where` admits. Ordered by natural key. Sorts the rows it reads: for listings, not for aggregates.
 */
export function onePerKeySql(database: string, def: TableDef, columns: string, where?: string): string {
  const key = def.naturalKey.join(', ');
  return [`SELECT ${columns} FROM ${qualified(database, def.name)}`, ...whereClause(where), `ORDER BY ${key}, ${BATCH_ID_COLUMN} DESC LIMIT 1 BY ${key}`].join(' ');
}

/**
 * A query (to wrap as a subquery) with, per natural key among the rows `where` admits: the key columns, the
 * hash of the chosen row (`row_hash`, UInt64; src/storage/checksum.ts) and the `extra` expressions, each taken
 * from that same row. An aggregation, so digests never sort the table. Names in `extra` must not be columns.
 */
export function keyHashesSql(database: string, def: TableDef, where?: string, extra: Readonly<Record<string, string>> = {}): string {
  const key = def.naturalKey.join(', ');
  const picked = Object.entries({ row_hash: rowHashExpr(def), ...extra }).map(([name, expr]) => `argMax(${expr}, ${BATCH_ID_COLUMN}) AS ${name}`);
  return [`SELECT ${key}, ${picked.join(', ')} FROM ${qualified(database, def.name)}`, ...whereClause(where), `GROUP BY ${key}`].join(' ');
}

/** SELECT `columns` of one batch's rows, one per natural key, in natural-key order. */
export function batchRowsSql(database: string, def: TableDef, batchId: string, columns: string): string {
  const key = def.naturalKey.join(', ');
  return `SELECT ${columns} FROM ${qualified(database, def.name)} WHERE ${BATCH_ID_COLUMN} = ${batchIdLiteral(batchId)} ORDER BY ${key} LIMIT 1 BY ${key}`;
}

/**
 * Row count (`summary_rows`) and checksum (`summary_checksum`), both as decimal strings, of one batch's rows as
 * stored, one per natural key: what its ledger entry recorded when the store holds the batch whole.
 */
export function batchSummarySql(database: string, def: TableDef, batchId: string): string {
  const key = def.naturalKey.join(', ');
  const perKey = `SELECT any(${rowHashExpr(def)}) AS row_hash FROM ${qualified(database, def.name)} WHERE ${BATCH_ID_COLUMN} = ${batchIdLiteral(batchId)} GROUP BY ${key}`;
  return `SELECT toString(count()) AS summary_rows, toString(sum(row_hash)) AS summary_checksum FROM (${perKey})`;
}
