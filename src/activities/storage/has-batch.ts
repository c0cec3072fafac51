import { storeClient } from '../../storage/client';
import { ledgerEntry } from '../../storage/ledger';
import { storageFailure } from './failures';
import type { StoreResolver } from './store-lookup';

export interface HasBatchInput {
  store: string;
  batchId: string;
}

/** Whether the store's ledger holds the batch (so all of its rows are in). */
export function hasBatchActivity(resolve: StoreResolver) {
  return async function hasBatch({ store: storeId, batchId }: HasBatchInput): Promise<boolean> {
    let store;
    try {
      store = resolve(storeId);
      return (await ledgerEntry(storeClient(store), store.database, batchId)) !== undefined;
    } catch (err) {
      throw storageFailure(store, err);
    }
  };
}
