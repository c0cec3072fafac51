import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { BatchTable } from '../domain/batch';
import type { Policies } from '../reliability/policies';

/**
 * ReplicaRepairWorkflow's contract with its callers (the hintRepair activity, `replicas repair|status`):
 * input, state, the hint signal and the status query. Kept apart from the workflow so that callers import no
 * workflow code and no activity types (no import cycle through the Activities type).
 */

/** A batch a store missed: named by id and table, its rows are copied from a store that holds them. */
export interface RepairHint {
  batchId: string;
  /** a market table or a bookkeeping table (quarantine, collection_gaps): all go through the ledger */
  table: BatchTable;
}

export interface HintSignal {
  hints: RepairHint[];
  /** the stores to copy from; the latest hint's list wins (the config may have changed) */
  sources?: string[];
}

export interface FailedRepair extends RepairHint {
  error: string;
}

/** What a repair run carries into the next through continue-as-new. */
export interface RepairState {
  pending: RepairHint[];
  /** hints were dropped at the pending bound: the ledgers are diffed once the queue drains */
  overflowed: boolean;
  repaired: number;
  alreadyPresent: number;
  failed: FailedRepair[];
  healthy: boolean | null;
  lastError: string | null;
  lastRepairTime: number | null;
  alertOpen: boolean;
}

export interface ReplicaRepairInput {
  /** the store this workflow repairs (one workflow per store: `repair/<store>`) */
  store: string;
  sources: string[];
  /**
   * The reliability policies with the config's overrides (timeouts, retries, writes.repair*), carried through
   * continue-as-new. Absent = DEFAULT_POLICIES (also what runs started before this field existed replay with).
   */
  policies?: Policies;
  carried?: RepairState;
}

export interface RepairStatus extends Omit<RepairState, 'pending'> {
  store: string;
  sources: string[];
  pending: number;
  /** the first few pending batch ids, for people */
  next: string[];
}

export const hintSignal = defineSignal<[HintSignal]>('hint');
export const repairStatusQuery = defineQuery<RepairStatus>('status');

export function repairWorkflowId(store: string): string {
  return `repair/${store}`;
}
