import type { ClickHouseClient } from '@clickhouse/client';
import type { Batch } from '../domain/batch';
import { encodedBatch } from './encoded-batch';
import { coalescedInsert } from './insert-coalescer';
import { ledgerEntry } from './ledger';

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
  // encoded and checksummed once per batch in this process, whichever store asks first (encoded-batch.ts)
  const encoded = encodedBatch(batch);
  const existing = await ledgerEntry(client, database, batch.batchId);
  if (existing) return { rows: existing.rows, checksum: existing.checksum, alreadyPresent: true };
  // with other batches for the same store and table that arrive meanwhile: one insert a second at most (insert-coalescer.ts)
  await coalescedInsert(client, database, batch.batchId, encoded);
  return { rows: encoded.rows, checksum: encoded.checksum, alreadyPresent: false };
}
