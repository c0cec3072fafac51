import type { Config } from '../../config/schema';
import { checkReplicas, type CheckOptions, type ReplicaCheck } from '../../storage/replica-check';

export type CheckConsistencyInput = CheckOptions;

/**
 * Compares every configured store (counts and checksums per table and day, and the ledgers). Spans all
 * stores, so it names none: no single store's breaker is charged for it.
 */
export function checkConsistencyActivity(config: () => Config) {
  return async function checkConsistency(input: CheckConsistencyInput = {}): Promise<ReplicaCheck> {
    return checkReplicas(config(), input);
  };
}
