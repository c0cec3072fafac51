import type { Config } from '../../config/schema';
import { checkConsistencyActivity } from './check-consistency';
import { copyBatchActivity } from './copy-batch';
import { discardPartialBatchActivity } from './discard-partial-batch';
import { hasBatchActivity } from './has-batch';
import { HintClient, hintRepairActivity } from './hint-repair';
import { insertBatchActivity } from './insert-batch';
import { migrateActivity } from './migrate';
import { missingBatchesActivity } from './missing-batches';
import { schemaGuard } from './ensure-schema';
import { storeHealthActivity } from './store-health';
import { storeResolver } from './store-lookup';
import { storedCursorsActivity } from './stored-cursors';

export type { CheckConsistencyInput } from './check-consistency';
export type { CopyBatchInput, CopyBatchResult } from './copy-batch';
export type { DiscardPartialBatchInput } from './discard-partial-batch';
export type { HasBatchInput } from './has-batch';
export type { HintRepairInput } from './hint-repair';
export type { InsertBatchInput, InsertBatchResult } from './insert-batch';
export type { MigrateInput } from './migrate';
export type { MissingBatches, MissingBatchesInput } from './missing-batches';
export type { StoreHealth, StoreHealthInput } from './store-health';
export type { StoredCursors, StoredCursorsInput } from './stored-cursors';

/** The storage activities over a given config (workers pass theirs: src/activities/index.ts). */
export function storageActivities(config: Config) {
  const resolve = storeResolver(() => config);
  const schema = schemaGuard();
  const insertBatch = insertBatchActivity(resolve, schema);
  return {
    insertBatch,
    hasBatch: hasBatchActivity(resolve),
    migrate: migrateActivity(resolve),
    copyBatch: copyBatchActivity(resolve, schema),
    discardPartialBatch: discardPartialBatchActivity(resolve, schema),
    storeHealth: storeHealthActivity(resolve),
    missingBatches: missingBatchesActivity(resolve, schema),
    storedCursors: storedCursorsActivity(resolve, schema),
    hintRepair: hintRepairActivity(new HintClient(config)),
    checkConsistency: checkConsistencyActivity(() => config),
  };
}
