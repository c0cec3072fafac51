import type { Batch } from '../../domain/batch';
import { rowsChecksum } from '../../storage/checksum';
import { storeClient } from '../../storage/client';
import { batchIdLiteral } from '../../storage/identifiers';
import { ledgerEntry, recordBatch } from '../../storage/ledger';
import { toStoreRow } from '../../storage/row-codec';
import { insertRows } from '../../storage/table-io';
import { batchTableDef } from '../../storage/batch-tables';
import { BOOKKEEPING_TABLES, isBatchTable } from '../../domain/batch';
import type { BatchStamp } from '../../storage/tables';
import { BadStorageInputError, storageFailure } from './failures';
import type { SchemaGuard } from './ensure-schema';
import { keepHeartbeating } from './heartbeat';
import type { StoreResolver } from './store-lookup';

export interface InsertBatchInput {
  /** store id from the config; the URL and password never travel through workflow history */
  store: string;
  batch: Batch;
}

export interface InsertBatchResult {
  store: string;
  batchId: string;
  table: string;
  rows: number;
  /** src/storage/checksum.ts, UInt64 as a decimal string */
  checksum: string;
  /** true when the ledger already held the batch and nothing was written */
  alreadyPresent: boolean;
}

function checkBatch(batch: Batch): void {
  if (!batch || typeof batch !== 'object') throw new BadStorageInputError('insertBatch: batch is missing; pass {store, batch: {batchId, table, rows}}');
  if (!isBatchTable(String(batch.table))) {
    throw new BadStorageInputError(`insertBatch: table '${String(batch.table)}' is not a data type; use one of src/domain/data-types.ts, ${BOOKKEEPING_TABLES.join(' or ')}`);
  }
  batchIdLiteral(batch.batchId);
  if (!Array.isArray(batch.rows)) throw new BadStorageInputError(`insertBatch: batch ${batch.batchId} has no rows array`);
}

/**
 * Writes one batch to one store, idempotently: a batch already in the store's ledger is a no-op; otherwise
 * the rows (stamped with batch id and ingest time, bookkeeping rows like market rows) go in first, then the
 * ledger entry with row count and checksum (over the rows' own fields, not the stamps, so it is the same in
 * every store and for bookkeeping batches written before their rows were stamped). A crash in between leaves
 * rows without an entry: the retry inserts them again under the same batch id, and the ReplacingMergeTree
 * sorting key (natural key, batch id) absorbs the duplicates; rows of other batches are never touched.
 */
export function insertBatchActivity(resolve: StoreResolver, schema?: SchemaGuard) {
  return async function insertBatch({ store: storeId, batch }: InsertBatchInput): Promise<InsertBatchResult> {
    let store;
    const stopHeartbeats = keepHeartbeating();
    try {
      store = resolve(storeId);
      checkBatch(batch);
      const def = batchTableDef(batch.table);
      batch.rows.forEach((row, i) => toStoreRow(def, { ...row, batchId: batch.batchId, ingestTime: 0 }, i)); // validate before touching the store
      await schema?.ensure(store);
      const client = storeClient(store);
      const base = { store: store.id, batchId: batch.batchId, table: batch.table };
      const existing = await ledgerEntry(client, store.database, batch.batchId);
      if (existing) return { ...base, rows: existing.rows, checksum: existing.checksum, alreadyPresent: true };
      const stamp: BatchStamp = { batchId: batch.batchId, ingestTime: Date.now() };
      await insertRows(client, store.database, def, batch.rows.map((row) => ({ ...row, ...stamp })));
      const checksum = rowsChecksum(def, batch.rows);
      await recordBatch(client, store.database, { batchId: batch.batchId, tableName: batch.table, rows: batch.rows.length, checksum });
      return { ...base, rows: batch.rows.length, checksum, alreadyPresent: false };
    } catch (err) {
      if (store) schema?.forget(store.id);
      throw storageFailure(store, err);
    } finally {
      stopHeartbeats();
    }
  };
}
