import { storeClient } from '../../storage/client';
import { storageFailure } from './failures';
import type { StoreResolver } from './store-lookup';

export interface StoreHealthInput {
  store: string;
}

export interface StoreHealth {
  store: string;
  healthy: boolean;
  /** why not, when not healthy */
  reason?: string;
}

/**
 * Whether the store answers a ping. Unhealthy is an answer, not a failure: the repair workflow decides how
 * long to wait before asking again (policies.writes.repairProbe*).
 */
export function storeHealthActivity(resolve: StoreResolver) {
  return async function storeHealth({ store: storeId }: StoreHealthInput): Promise<StoreHealth> {
    let store;
    try {
      store = resolve(storeId);
    } catch (err) {
      throw storageFailure(undefined, err);
    }
    const ping = await storeClient(store).ping();
    return ping.success ? { store: store.id, healthy: true } : { store: store.id, healthy: false, reason: String(ping.error?.message ?? ping.error).split('\n')[0] };
  };
}
