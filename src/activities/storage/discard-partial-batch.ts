import type { BatchTable } from '../../domain/batch';
import { storeClient } from '../../storage/client';
import { discardPartialBatch, type PartialBatchOutcome } from '../../storage/partial-batch';
import { storageFailure } from './failures';
import { heartbeat } from './heartbeat';
import type { StoreResolver } from './store-lookup';

export interface DiscardPartialBatchInput {
  store: string;
  batchId: string;
  table: BatchTable;
}

/** Whether the store holds the batch; if not, its ledger-less rows of it deleted (src/storage/partial-batch.ts). */
export function discardPartialBatchActivity(resolve: StoreResolver) {
  return async function discardPartialBatchOf(input: DiscardPartialBatchInput): Promise<PartialBatchOutcome> {
    let store;
    try {
      store = resolve(input.store);
      return await discardPartialBatch(storeClient(store), store.database, input.table, input.batchId, () => heartbeat());
    } catch (err) {
      throw storageFailure(store, err);
    }
  };
}
