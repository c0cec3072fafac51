import type { Config } from '../config/schema';
import { logger } from '../logging';
import { closeStoreClients } from '../storage/client';
import { AlertSink } from '../alerts/alert-sink';
import { alertActivities } from './alerts';
import { backupActivities } from './backup';
import { ExchangePool } from '../exchange/pool';
import { exchangeActivities, marketActivities } from './exchange';
import { backfillActivities } from './backfill';
import { stagingActivities, StagingArea } from './staging';
import { storageActivities } from './storage';

/**
 * Every activity, built around this process's config (activities close over their dependencies,
 * as in temporalio/samples-typescript's `createActivities(db)` pattern). Workflows only see the type.
 */
export function createActivities(config: Config) {
  const pool = new ExchangePool(config);
  const alerts = new AlertSink(config, logger);
  // batches fetched here and kept for their inserts (staging.ts); startWorkers gives it its task queue
  const staging = new StagingArea();
  const storage = storageActivities(config);
  return {
    activities: {
      ...exchangeActivities(pool, staging),
      ...marketActivities(pool),
      ...backfillActivities(pool, config, staging),
      ...storage,
      ...stagingActivities(staging, storage.insertBatch),
      ...alertActivities(alerts),
      ...backupActivities(config),
    },
    pool,
    alerts,
    staging,
    close: async () => {
      await pool.close();
      await closeStoreClients();
    },
  };
}

export type Activities = ReturnType<typeof createActivities>['activities'];
