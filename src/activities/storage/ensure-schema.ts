import type { StoreConfig } from '../../config/schema';
import { storeClient } from '../../storage/client';
import { migrateStore } from '../../storage/migrate';

export interface SchemaGuard {
  /** migrates the store once per process (cheap no-op afterwards) */
  ensure(store: StoreConfig): Promise<void>;
  /** forget that a store was migrated, e.g. after a failed write: it may have been wiped and restarted */
  forget(storeId: string): void;
}

/**
 * Each worker process makes sure a store's schema is current before its first write to it. A store that
 * was down when the workers started, or came back empty, is migrated on the first insert that reaches it.
 */
export function schemaGuard(): SchemaGuard {
  const ready = new Map<string, Promise<void>>();
  return {
    ensure(store) {
      let pending = ready.get(store.id);
      if (!pending) {
        pending = migrateStore(storeClient(store), store.database).then(() => undefined);
        pending.catch(() => ready.delete(store.id));
        ready.set(store.id, pending);
      }
      return pending;
    },
    forget(storeId) {
      ready.delete(storeId);
    },
  };
}
