import { loadConfig } from '../../config/load';
import type { Config } from '../../config/schema';
import { hasBatchActivity } from './has-batch';
import { insertBatchActivity } from './insert-batch';
import { migrateActivity } from './migrate';
import { schemaGuard } from './ensure-schema';
import { storeResolver } from './store-lookup';

export type { HasBatchInput } from './has-batch';
export type { InsertBatchInput, InsertBatchResult } from './insert-batch';
export type { MigrateInput } from './migrate';

/** The storage activities over a given config (workers pass theirs: src/activities/index.ts). */
export function storageActivities(config: Config) {
  const resolve = storeResolver(() => config);
  return {
    insertBatch: insertBatchActivity(resolve, schemaGuard()),
    hasBatch: hasBatchActivity(resolve),
    migrate: migrateActivity(resolve),
  };
}

/** The same activities, looking stores up in loadConfig() (MARKETPRISM_CONFIG or the shipped default) per call. */
const fromLoadedConfig = storeResolver(() => loadConfig());
export const insertBatch = insertBatchActivity(fromLoadedConfig);
export const hasBatch = hasBatchActivity(fromLoadedConfig);
export const migrate = migrateActivity(fromLoadedConfig);
