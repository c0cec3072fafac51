import { setTimeout as delay } from 'node:timers/promises';
import { storePing } from '../../storage/client';
import { storageFailure } from './failures';
import { heartbeat } from './heartbeat';
import type { StoreResolver } from './store-lookup';

export interface StoreHealthInput {
  store: string;
  /**
   * While the store does not answer, keep pinging it (every PING_EVERY_MS) for up to this long (ms) before
   * answering unhealthy: a store that comes back is seen within half a second, without a workflow timer per
   * ping. Absent or 0: one ping.
   */
  waitForHealthyMs?: number;
}

export interface StoreHealth {
  store: string;
  healthy: boolean;
  /** why not, when not healthy */
  reason?: string;
}

const PING_EVERY_MS = 500;

/**
 * Whether the store answers a ping. Unhealthy is an answer, not a failure: the repair workflow decides how
 * long to wait before asking again (policies.writes.repairProbe*).
 */
export function storeHealthActivity(resolve: StoreResolver) {
  return async function storeHealth({ store: storeId, waitForHealthyMs = 0 }: StoreHealthInput): Promise<StoreHealth> {
    let store;
    try {
      store = resolve(storeId);
    } catch (err) {
      throw storageFailure(undefined, err);
    }
    const deadline = Date.now() + waitForHealthyMs;
    for (;;) {
      const ping = await storePing(store);
      if (ping.success) return { store: store.id, healthy: true };
      if (Date.now() + PING_EVERY_MS > deadline) return { store: store.id, healthy: false, reason: String(ping.error?.message ?? ping.error).split('\n')[0] };
      heartbeat();
      await delay(PING_EVERY_MS);
    }
  };
}
