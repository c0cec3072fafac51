import type { ClickHouseClient } from '@clickhouse/client';
import { batchTableDef } from './batch-tables';
import type { BatchRowOf, BatchTable } from '../domain/batch';
import { batchRowsSql, batchSummarySql } from './per-key';
import { fromStoreRow, selectList } from './row-codec';
import type { BatchStamp } from './tables';

/**
 * What a store holds of one batch, computed by the store itself over the rows stamped with its batch id, one per
 * natural key (src/storage/per-key.ts). Rows of other batches never count, whatever natural keys they share.
 */
export interface BatchSummary {
  rows: number;
  /** same function as rowsChecksum in src/storage/checksum.ts */
  checksum: string;
}

/** A batch's row as stored: the row and the stamps the write path added. */
export type StoredBatchRow<T extends BatchTable> = BatchRowOf<T> & BatchStamp;

/**
 * Market and bookkeeping tables alike (bookkeeping rows carry their batch id since migration 3; rows written
 * before it have batch_id '', which no batch id matches).
 */
export async function batchSummary(client: ClickHouseClient, database: string, table: BatchTable, batchId: string): Promise<BatchSummary> {
  const result = await client.query({ query: batchSummarySql(database, batchTableDef(table), batchId), format: 'JSONEachRow' });
  const [row] = await result.json<{ summary_rows: string; summary_checksum: string }>();
  return { rows: Number(row.summary_rows), checksum: row.summary_checksum };
}

/** The stored rows of one batch, as TS rows with their stamps, one per natural key, in natural-key order. */
export async function batchRows<T extends BatchTable>(client: ClickHouseClient, database: string, table: T, batchId: string): Promise<Array<StoredBatchRow<T>>> {
  const def = batchTableDef(table);
  const result = await client.query({ query: batchRowsSql(database, def, batchId, selectList(def)), format: 'JSONEachRow' });
  return (await result.json<Record<string, unknown>>()).map((r) => fromStoreRow<StoredBatchRow<T>>(def, r));
}
