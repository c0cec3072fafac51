import { storeClient } from '../../storage/client';
import { migrateStore, type MigrationResult } from '../../storage/migrate';
import { storageFailure } from './failures';
import type { StoreResolver } from './store-lookup';

export interface MigrateInput {
  store: string;
}

/** Brings the store's schema up to date (idempotent); returns what it applied. */
export function migrateActivity(resolve: StoreResolver) {
  return async function migrate({ store: storeId }: MigrateInput): Promise<MigrationResult & { store: string }> {
    let store;
    try {
      store = resolve(storeId);
      return { store: store.id, ...(await migrateStore(storeClient(store), store.database)) };
    } catch (err) {
      throw storageFailure(store, err);
    }
  };
}
