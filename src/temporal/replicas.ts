import type { Client } from '@temporalio/client';
import type { Config } from '../config/schema';
import { DATA_TYPES, type DataType } from '../domain/data-types';
import { STORAGE_QUEUE } from '../domain/task-queues';
import { DEFAULT_POLICIES } from '../reliability/policies';
import { storeClient } from '../storage/client';
import { ledgerDigest, marketTableDigest, totalDigest, type DayDigest, type Digest } from '../storage/consistency';
import { ledgerBatches, missingFrom, type BatchRef } from '../storage/ledger-diff';
import { hintSignal, repairStatusQuery, repairWorkflowId, type RepairStatus, type ReplicaRepairInput } from '../workflows/replica-repair';

/**
 * Client-side replica operations: hint repair workflows (signal-with-start), compare stores, find what a
 * store's ledger lacks. Used by the hintRepair activity and by `marketprism replicas ...`.
 */

export interface RepairHints {
  /** the store that missed the batches */
  store: string;
  /** stores to copy from */
  sources: string[];
  hints: BatchRef[];
}

/**
 * Queues batches for a store's ReplicaRepairWorkflow, starting it if it does not run (signal-with-start is
 * atomic, so concurrent writers never start two). Large lists go in several signals of bounded size.
 */
export async function hintRepair(client: Client, { store, sources, hints }: RepairHints, perSignal = DEFAULT_POLICIES.writes.hintsPerSignal): Promise<{ workflowId: string; signals: number }> {
  const workflowId = repairWorkflowId(store);
  const chunks: BatchRef[][] = [];
  for (let i = 0; i < hints.length; i += perSignal) chunks.push(hints.slice(i, i + perSignal));
  if (chunks.length === 0) chunks.push([]); // no hints: just make sure the workflow runs
  const args: [ReplicaRepairInput] = [{ store, sources }];
  for (const chunk of chunks) {
    await client.workflow.signalWithStart('ReplicaRepairWorkflow', { workflowId, taskQueue: STORAGE_QUEUE, args, signal: hintSignal, signalArgs: [{ hints: chunk, sources }] });
  }
  const signals = chunks.length;
  return { workflowId, signals };
}

export async function repairStatus(client: Client, store: string): Promise<RepairStatus> {
  return client.workflow.getHandle(repairWorkflowId(store)).query(repairStatusQuery);
}

export interface StoreLedgerDiff {
  store: string;
  missing: BatchRef[];
  /** stores whose ledger could not be read (the diff ignores them) */
  unreachable: string[];
}

/** For each store (or the given ones): the batches some other store's ledger holds and its own lacks. */
export async function ledgerDiffs(config: Config, only?: string[]): Promise<StoreLedgerDiff[]> {
  const ledgers = new Map<string, BatchRef[]>();
  const unreachable: string[] = [];
  for (const store of config.stores) {
    try {
      ledgers.set(store.id, await ledgerBatches(storeClient(store), store.database));
    } catch {
      unreachable.push(store.id);
    }
  }
  return config.stores
    .filter((s) => !only || only.includes(s.id))
    .map((s) => {
      const own = ledgers.get(s.id);
      const others = [...ledgers.entries()].filter(([id]) => id !== s.id).map(([, l]) => l);
      // an unreachable store's backlog is unknown until it answers; repair it once it does
      return { store: s.id, missing: own ? missingFrom(own, others) : [], unreachable };
    });
}

/** `replicas repair`: hints every batch a store's ledger lacks to that store's repair workflow. */
export async function repairReplicas(client: Client, config: Config, only?: string[]): Promise<Array<StoreLedgerDiff & { workflowId?: string }>> {
  const diffs = await ledgerDiffs(config, only);
  const out = [];
  for (const diff of diffs) {
    if (diff.missing.length === 0) {
      out.push(diff);
      continue;
    }
    const sources = config.stores.map((s) => s.id).filter((id) => id !== diff.store && !diff.unreachable.includes(id));
    const { workflowId } = await hintRepair(client, { store: diff.store, sources, hints: diff.missing });
    out.push({ ...diff, workflowId });
  }
  return out;
}

export interface StoreDigest extends Digest {
  store: string;
  /** set when the store could not be read */
  error?: string;
}

export interface TableDifference {
  /** YYYYMMDD (UTC) of event_time, or null for the ledger */
  day: number | null;
  stores: StoreDigest[];
}

export interface TableComparison {
  table: DataType | 'batches';
  identical: boolean;
  stores: StoreDigest[];
  differences: TableDifference[];
}

export interface ReplicaCheck {
  identical: boolean;
  sinceMs: number;
  tables: TableComparison[];
}

function sameDigests(digests: readonly StoreDigest[]): boolean {
  return digests.every((d) => !d.error && d.rows === digests[0].rows && d.checksum === digests[0].checksum);
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

async function compareMarketTable(config: Config, table: DataType, sinceMs: number): Promise<TableComparison> {
  const perStore = await Promise.all(
    config.stores.map(async (s) => {
      try {
        return { store: s.id, days: await marketTableDigest(storeClient(s), s.database, table, sinceMs) };
      } catch (err) {
        return { store: s.id, days: [] as DayDigest[], error: errorText(err) };
      }
    }),
  );
  const stores: StoreDigest[] = perStore.map((p) => ({ store: p.store, ...totalDigest(p.days), ...(p.error && { error: p.error }) }));
  const days = [...new Set(perStore.flatMap((p) => p.days.map((d) => d.day)))].sort((a, b) => a - b);
  const differences: TableDifference[] = [];
  for (const day of days) {
    const digests = perStore.map((p) => {
      const d = p.days.find((x) => x.day === day);
      return { store: p.store, rows: d?.rows ?? 0, checksum: d?.checksum ?? '0', ...(p.error && { error: p.error }) };
    });
    if (!sameDigests(digests)) differences.push({ day, stores: digests });
  }
  if (differences.length === 0 && !sameDigests(stores)) differences.push({ day: null, stores });
  return { table, identical: sameDigests(stores), stores, differences };
}

async function compareLedger(config: Config, table: DataType | undefined, sinceMs: number): Promise<TableComparison> {
  const stores: StoreDigest[] = await Promise.all(
    config.stores.map(async (s) => {
      try {
        return { store: s.id, ...(await ledgerDigest(storeClient(s), s.database, table, sinceMs)) };
      } catch (err) {
        return { store: s.id, rows: 0, checksum: '0', error: errorText(err) };
      }
    }),
  );
  const identical = sameDigests(stores);
  return { table: 'batches', identical, stores, differences: identical ? [] : [{ day: null, stores }] };
}

/**
 * Compares every store per market table (rows with event_time >= sinceMs, per UTC day: count and
 * order-independent checksum over natural keys and values) and the batch ledgers (entries written since
 * sinceMs). A store that cannot be read makes the result not identical.
 */
export async function checkReplicas(config: Config, opts: { table?: DataType; sinceMs?: number } = {}): Promise<ReplicaCheck> {
  const sinceMs = opts.sinceMs ?? 0;
  const tables = opts.table ? [opts.table] : [...DATA_TYPES];
  const comparisons: TableComparison[] = [];
  for (const table of tables) comparisons.push(await compareMarketTable(config, table, sinceMs));
  comparisons.push(await compareLedger(config, opts.table, sinceMs));
  return { identical: comparisons.every((c) => c.identical), sinceMs, tables: comparisons };
}
