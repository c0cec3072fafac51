import type { Client } from '@temporalio/client';
import type { Config } from '../config/schema';
import { STORAGE_QUEUE } from '../domain/task-queues';
import { DEFAULT_POLICIES, withOverrides, type Policies } from '../reliability/policies';
import type { BatchRef } from '../storage/ledger-diff';
import { ledgerDiffs, type StoreLedgerDiff } from '../storage/replica-check';
import { workflowPolicies } from './workflow-policies';
import { hintSignal, repairStatusQuery, repairWorkflowId, type RepairStatus, type ReplicaRepairInput } from '../workflows/replica-repair-api';

/**
 * Client-side replica operations: hint a store's repair workflow (signal-with-start), ask it for its status,
 * and queue everything a store's ledger lacks. Used by the hintRepair activity and by `marketprism replicas ...`;
 * comparing the stores themselves is storage code (src/storage/replica-check.ts).
 */

export interface RepairHints {
  /** the store that missed the batches */
  store: string;
  /** stores to copy from */
  sources: string[];
  hints: BatchRef[];
  /** the config's policies (workflowPolicies(config)), for a repair workflow this call starts; absent = defaults */
  policies?: Policies;
}

/**
 * Queues batches for a store's ReplicaRepairWorkflow, starting it if it does not run (signal-with-start is
 * atomic, so concurrent writers never start two). Large lists go in several signals of bounded size. A
 * running workflow keeps the policies it was started with; they take effect for a workflow this call starts.
 */
export async function hintRepair(client: Client, { store, sources, hints, policies }: RepairHints): Promise<{ workflowId: string; signals: number }> {
  const workflowId = repairWorkflowId(store);
  const perSignal = (policies ?? DEFAULT_POLICIES).writes.hintsPerSignal;
  const chunks: BatchRef[][] = [];
  for (let i = 0; i < hints.length; i += perSignal) chunks.push(hints.slice(i, i + perSignal));
  if (chunks.length === 0) chunks.push([]); // no hints: just make sure the workflow runs
  const args: [ReplicaRepairInput] = [{ store, sources, ...(policies && { policies }) }];
  for (const chunk of chunks) {
    await client.workflow.signalWithStart('ReplicaRepairWorkflow', { workflowId, taskQueue: STORAGE_QUEUE, args, signal: hintSignal, signalArgs: [{ hints: chunk, sources }] });
  }
  const signals = chunks.length;
  return { workflowId, signals };
}

export async function repairStatus(client: Client, store: string): Promise<RepairStatus> {
  return client.workflow.getHandle(repairWorkflowId(store)).query(repairStatusQuery);
}

/**
 * How long a batch may still be landing in every store after the first recorded it (ms): the write's grace for
 * the stores after quorum, plus the longest an insert attempt started within it can run unnoticed (its heartbeat
 * timeout). A batch younger than this that a store lacks is its write's business, not repair's (issue 12, A6).
 */
export function writeInFlightMs(policies: Policies): number {
  return policies.writes.quorumGraceMs + policies.writes.insertHeartbeatTimeoutMs;
}

/**
 * `replicas repair`: hints every batch a store's ledger lacks to that store's repair workflow, leaving out batches
 * recorded within the last writeInFlightMs (counted as `inFlight`).
 */
export async function repairReplicas(client: Client, config: Config, only?: string[]): Promise<Array<StoreLedgerDiff & { workflowId?: string }>> {
  const diffs = await ledgerDiffs(config, only, Date.now() - writeInFlightMs(withOverrides(config.reliability)));
  const out = [];
  for (const diff of diffs) {
    if (diff.missing.length === 0) {
      out.push(diff);
      continue;
    }
    const sources = config.stores.map((s) => s.id).filter((id) => id !== diff.store && !diff.unreachable.some((u) => u.store === id));
    const { workflowId } = await hintRepair(client, { store: diff.store, sources, hints: diff.missing, policies: workflowPolicies(config) });
    out.push({ ...diff, workflowId });
  }
  return out;
}
