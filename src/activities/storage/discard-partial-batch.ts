import type { BatchTable } from '../../domain/batch';
import { storeClient } from '../../storage/client';
import { discardPartialBatch, type PartialBatchOutcome } from '../../storage/partial-batch';
import { storageFailure } from './failures';
import type { SchemaGuard } from './ensure-schema';
import { keepHeartbeating } from './heartbeat';
import type { StoreResolver } from './store-lookup';

export interface DiscardPartialBatchInput {
  store: string;
  batchId: string;
  table: BatchTable;
}

/**
 * Whether the store holds the batch; if not, its ledger-less rows of it deleted (src/storage/partial-batch.ts).
 * Heartbeats throughout (the count reads the table's batch_id column; the deletion is waited for).
 */
export function discardPartialBatchActivity(resolve: StoreResolver, schema?: SchemaGuard) {
  return async function discardPartialBatchOf(input: DiscardPartialBatchInput): Promise<PartialBatchOutcome> {
    let store;
    const stopHeartbeats = keepHeartbeating();
    try {
      store = resolve(input.store);
      // a store that came back empty gets its schema first: it then simply does not hold the batch
      await schema?.ensure(store);
      return await discardPartialBatch(storeClient(store), store.database, input.table, input.batchId);
    } catch (err) {
      if (store) schema?.forget(store.id);
      throw storageFailure(store, err);
    } finally {
      stopHeartbeats();
    }
  };
}
