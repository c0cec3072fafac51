import type { Batch } from '../../domain/batch';
import { storeClient } from '../../storage/client';
import { batchIdLiteral } from '../../storage/identifiers';
import { writeBatch, type WrittenBatch } from '../../storage/write-batch';
import { BOOKKEEPING_TABLES, isBatchTable } from '../../domain/batch';
import { BadStorageInputError, storageFailure } from './failures';
import type { SchemaGuard } from './ensure-schema';
import { keepHeartbeating } from './heartbeat';
import type { StoreResolver } from './store-lookup';

export interface InsertBatchInput {
  /** store id from the config; the URL and password never travel through workflow history */
  store: string;
  batch: Batch;
}

export interface InsertBatchResult extends WrittenBatch {
  store: string;
  batchId: string;
  table: string;
  /** the exchange of the batch's rows, for metrics: set by insertStaged, whose input carries no rows */
  exchange?: string;
}

function checkBatch(batch: Batch): void {
  if (!batch || typeof batch !== 'object') throw new BadStorageInputError('insertBatch: batch is missing; pass {store, batch: {batchId, table, rows}}');
  if (!isBatchTable(String(batch.table))) {
    throw new BadStorageInputError(`insertBatch: table '${String(batch.table)}' is not a data type; use one of src/domain/data-types.ts, ${BOOKKEEPING_TABLES.join(' or ')}`);
  }
  batchIdLiteral(batch.batchId);
  if (!Array.isArray(batch.rows)) throw new BadStorageInputError(`insertBatch: batch ${batch.batchId} has no rows array`);
}

/** Writes one batch to one store, idempotently (writeBatch, src/storage/write-batch.ts), heartbeating meanwhile. */
export function insertBatchActivity(resolve: StoreResolver, schema?: SchemaGuard) {
  return async function insertBatch({ store: storeId, batch }: InsertBatchInput): Promise<InsertBatchResult> {
    let store;
    const stopHeartbeats = keepHeartbeating();
    try {
      store = resolve(storeId);
      checkBatch(batch);
      await schema?.ensure(store);
      const written = await writeBatch(storeClient(store), store.database, batch);
      return { store: store.id, batchId: batch.batchId, table: batch.table, ...written };
    } catch (err) {
      if (store) schema?.forget(store.id);
      throw storageFailure(store, err);
    } finally {
      stopHeartbeats();
    }
  };
}
