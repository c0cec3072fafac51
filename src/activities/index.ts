import type { Config } from '../config/schema';
import { ExchangePool } from './exchange/exchanges';
import { fetchTradesActivity } from './exchange/fetch-trades';
import { closeStoreClients } from '../storage/client';
import { storageActivities } from './storage';

/**
 * Every activity, built around this process's config (activities close over their dependencies,
 * as in temporalio/samples-typescript's `createActivities(db)` pattern). Workflows only see the type.
 */
export function createActivities(config: Config) {
  const pool = new ExchangePool(config);
  return {
    activities: {
      fetchTrades: fetchTradesActivity(pool),
      ...storageActivities(config),
    },
    close: async () => {
      await pool.close();
      await closeStoreClients();
    },
  };
}

export type Activities = ReturnType<typeof createActivities>['activities'];
