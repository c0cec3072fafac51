import { storeClient } from '../../storage/client';
import { ledgerBatches, missingFrom, type BatchRef } from '../../storage/ledger-diff';
import { storageFailure } from './failures';
import type { SchemaGuard } from './ensure-schema';
import type { StoreResolver } from './store-lookup';

export interface MissingBatchesInput {
  /** the store whose ledger is checked */
  store: string;
  /** the stores it is compared with; unreachable ones are skipped (the next diff catches up) */
  sources: string[];
  /** at most this many are returned */
  limit: number;
}

export interface MissingBatches {
  batches: BatchRef[];
  /** how many were missing in all (more than batches.length when the limit cut the list) */
  total: number;
  /** sources that could not be read */
  skipped: string[];
}

/** Batches the other stores' ledgers hold and this store's lacks: the repair backlog, rebuilt from the ledgers. */
export function missingBatchesActivity(resolve: StoreResolver, schema?: SchemaGuard) {
  return async function missingBatches({ store: storeId, sources, limit }: MissingBatchesInput): Promise<MissingBatches> {
    let store;
    let own;
    try {
      store = resolve(storeId);
      await schema?.ensure(store);
      own = await ledgerBatches(storeClient(store), store.database);
    } catch (err) {
      throw storageFailure(store, err);
    }
    const others: BatchRef[][] = [];
    const skipped: string[] = [];
    for (const id of sources.filter((s) => s !== storeId)) {
      try {
        const source = resolve(id);
        others.push(await ledgerBatches(storeClient(source), source.database));
      } catch {
        skipped.push(id);
      }
    }
    const missing = missingFrom(own, others);
    return { batches: missing.slice(0, Math.max(0, limit)), total: missing.length, skipped };
  };
}
