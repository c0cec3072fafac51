import type { ClickHouseClient } from '@clickhouse/client';
import type { Batch } from '../domain/batch';
import { batchTableDef } from './batch-tables';
import { rowsChecksum } from './checksum';
import { ledgerEntry, recordBatch } from './ledger';
import { toStoreRow } from './row-codec';
import { insertRows } from './table-io';
import type { BatchStamp } from './tables';

/** What one store holds of a batch after writeBatch. */
export interface WrittenBatch {
  rows: number;
  /** src/storage/checksum.ts, UInt64 as a decimal string */
  checksum: string;
  /** true when the ledger already held the batch and nothing was written */
  alreadyPresent: boolean;
}

/**
 * Writes one batch to one store, idempotently: a batch already in the store's ledger is a no-op; otherwise
 * the rows (stamped with batch id and ingest time, epoch ms; bookkeeping rows like market rows) go in first,
 * then the ledger entry with row count and checksum (over the rows' own fields, not the stamps, so it is the
 * same in every store and for bookkeeping batches written before their rows were stamped). A crash in between
 * leaves rows without an entry: the retry inserts them again under the same batch id, and the
 * ReplacingMergeTree sorting key (natural key, batch id) absorbs the duplicates; rows of other batches are never
 * touched. Every row is encoded before the store is asked (BadRowError names the table, row and field);
 * store errors propagate as the client throws them.
 */
export async function writeBatch(client: ClickHouseClient, database: string, batch: Batch): Promise<WrittenBatch> {
  const def = batchTableDef(batch.table);
  batch.rows.forEach((row, i) => toStoreRow(def, { ...row, batchId: batch.batchId, ingestTime: 0 }, i));
  const existing = await ledgerEntry(client, database, batch.batchId);
  if (existing) return { rows: existing.rows, checksum: existing.checksum, alreadyPresent: true };
  const stamp: BatchStamp = { batchId: batch.batchId, ingestTime: Date.now() };
  await insertRows(client, database, def, batch.rows.map((row) => ({ ...row, ...stamp })));
  const checksum = rowsChecksum(def, batch.rows);
  await recordBatch(client, database, { batchId: batch.batchId, tableName: batch.table, rows: batch.rows.length, checksum });
  return { rows: batch.rows.length, checksum, alreadyPresent: false };
}
