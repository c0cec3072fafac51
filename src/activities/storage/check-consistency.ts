import type { Config } from '../../config/schema';
import type { DataType } from '../../domain/data-types';
import { checkReplicas, type ReplicaCheck } from '../../temporal/replicas';

export interface CheckConsistencyInput {
  /** one market table, or all */
  table?: DataType;
  /** compare rows with event_time >= this (epoch ms); 0 = everything */
  sinceMs?: number;
}

/**
 * Compares every configured store (counts and checksums per table and day, and the ledgers). Spans all
 * stores, so it names none: no single store's breaker is charged for it.
 */
export function checkConsistencyActivity(config: () => Config) {
  return async function checkConsistency(input: CheckConsistencyInput = {}): Promise<ReplicaCheck> {
    return checkReplicas(config(), input);
  };
}
