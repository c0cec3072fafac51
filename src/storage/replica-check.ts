import type { Config } from '../config/schema';
import { BATCH_TABLES, type BatchTable } from '../domain/batch';
import { storeClient, storePing } from './client';
import { ledgerDigest, tableDigest, totalDigest, type DayDigest, type Digest } from './consistency';
import { ledgerBatchTimes, missingFrom, recordedBefore, type BatchRef } from './ledger-diff';
import { rowDifferences, type RowDifference } from './row-differences';

/**
 * Comparing the configured stores with each other: which batches each store's ledger lacks, and per table and
 * day whether they hold the same rows (counts and checksums, drilled down to the differing keys). Pure ClickHouse
 * reads; used by `replicas check|repair` and the checkConsistency activity.
 */

export interface StoreLedgerDiff {
  store: string;
  missing: BatchRef[];
  /** batches others hold and it lacks that were recorded after `writtenBefore`: still being written, left out */
  inFlight: number;
  /** stores whose ledger could not be read (the diff ignores them) */
  unreachable: UnreachableStore[];
}

/**
 * For each store (or the given ones): the batches some other store's ledger holds and its own lacks. With
 * `writtenBefore` (epoch ms), a batch the others recorded later is left out and counted as in flight: its write
 * may still be landing everywhere, and if a store misses it for good, the write itself hints the repair.
 */
export async function ledgerDiffs(config: Config, only?: string[], writtenBefore?: number): Promise<StoreLedgerDiff[]> {
  const ledgers = new Map<string, { all: BatchRef[]; settled: BatchRef[] }>();
  const { reachable, unreachable } = await reachableStores(config);
  for (const store of reachable) {
    try {
      const client = storeClient(store);
      // one read of the ledger: every entry, and those recorded before `writtenBefore`
      const timed = await ledgerBatchTimes(client, store.database);
      const all = timed.map(({ batchId, table }) => ({ batchId, table }));
      ledgers.set(store.id, { all, settled: writtenBefore === undefined ? all : timed.filter((b) => recordedBefore(b, writtenBefore)).map(({ batchId, table }) => ({ batchId, table })) });
    } catch (err) {
      unreachable.push({ store: store.id, error: errorText(err) });
    }
  }
  return config.stores
    .filter((s) => !only || only.includes(s.id))
    .map((s) => {
      const own = ledgers.get(s.id);
      const others = [...ledgers.entries()].filter(([id]) => id !== s.id).map(([, l]) => l);
      // an unreachable store's backlog is unknown until it answers; repair it once it does
      if (!own) return { store: s.id, missing: [], inFlight: 0, unreachable };
      const missing = missingFrom(own.all, others.map((l) => l.settled));
      return { store: s.id, missing, inFlight: missingFrom(own.all, others.map((l) => l.all)).length - missing.length, unreachable };
    });
}

export interface StoreDigest extends Digest {
  store: string;
  /** set when the store could not be read */
  error?: string;
}

export interface TableDifference {
  /** YYYYMMDD (UTC) of the table's time column (event_time for market tables), or null for the ledger */
  day: number | null;
  stores: StoreDigest[];
  /** drill-down (per day, among the stores that could be read): up to `rows` natural keys not held alike */
  rows?: RowDifference[];
  /** more keys differ than `rows` lists */
  moreRows?: boolean;
  /** why the drill-down could not be made */
  rowsError?: string;
}

export interface CheckOptions {
  /** one table, or every market and bookkeeping table */
  table?: BatchTable;
  /** compare rows whose time column is >= this (epoch ms); 0 = everything */
  sinceMs?: number;
  /** list up to this many differing natural keys per differing (table, day); 0 = none */
  rows?: number;
}

/** Differing keys listed per (table, day) unless asked otherwise. */
export const DEFAULT_DIFFERING_ROWS = 5;

export interface TableComparison {
  table: BatchTable | 'batches';
  identical: boolean;
  stores: StoreDigest[];
  differences: TableDifference[];
}

export interface UnreachableStore {
  store: string;
  /** first line of what the ping answered */
  error: string;
}

export interface ReplicaCheck {
  /** every configured store answered and all hold the same rows and ledger entries */
  identical: boolean;
  sinceMs: number;
  /** stores that did not answer a ping; the comparison covers the others */
  unreachable: UnreachableStore[];
  /** the comparison of the reachable stores */
  tables: TableComparison[];
}

/** Pings every configured store; returns those that answer and, once each, those that do not. */
export async function reachableStores(config: Config): Promise<{ reachable: Config['stores']; unreachable: UnreachableStore[] }> {
  const pings = await Promise.all(config.stores.map(async (store) => ({ store, ping: await storePing(store) })));
  return {
    reachable: pings.filter((p) => p.ping.success).map((p) => p.store),
    unreachable: pings.filter((p) => !p.ping.success).map((p) => ({ store: p.store.id, error: errorText(p.ping.success ? undefined : p.ping.error) })),
  };
}

function sameDigests(digests: readonly StoreDigest[]): boolean {
  return digests.every((d) => !d.error && d.rows === digests[0].rows && d.checksum === digests[0].checksum);
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

/** Which keys differ on one day, among the stores that could be read. */
async function drillDown(config: Config, table: BatchTable, day: number, sinceMs: number, digests: readonly StoreDigest[], limit: number): Promise<Pick<TableDifference, 'rows' | 'moreRows' | 'rowsError'>> {
  const readable = config.stores.filter((s) => digests.some((d) => d.store === s.id && !d.error));
  if (readable.length < 2 || limit <= 0) return {};
  const maxRows = Math.max(...digests.map((d) => d.rows));
  try {
    const found = await rowDifferences(readable.map((s) => ({ id: s.id, client: storeClient(s), database: s.database })), table, day, sinceMs, maxRows, limit);
    return { rows: found.rows, moreRows: found.more };
  } catch (err) {
    return { rowsError: errorText(err) };
  }
}

async function compareTable(config: Config, table: BatchTable, sinceMs: number, rowLimit: number): Promise<TableComparison> {
  const perStore = await Promise.all(
    config.stores.map(async (s) => {
      try {
        return { store: s.id, days: await tableDigest(storeClient(s), s.database, table, sinceMs) };
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
    if (!sameDigests(digests)) {
      differences.push({ day, stores: digests, ...(await drillDown(config, table, day, sinceMs, digests, rowLimit)) });
    }
  }
  if (differences.length === 0 && !sameDigests(stores)) differences.push({ day: null, stores });
  return { table, identical: sameDigests(stores), stores, differences };
}

async function compareLedger(config: Config, table: BatchTable | undefined, sinceMs: number): Promise<TableComparison> {
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
 * Compares every store per market and bookkeeping table (rows whose time column is >= sinceMs, per UTC day:
 * count and order-independent checksum over natural keys and values) and the batch ledgers (entries written
 * since sinceMs). A store that cannot be read makes the result not identical. For each differing (table, day),
 * up to `rows` natural keys the stores do not hold alike are listed.
 */
export async function checkReplicas(config: Config, opts: CheckOptions = {}): Promise<ReplicaCheck> {
  const sinceMs = opts.sinceMs ?? 0;
  const rowLimit = opts.rows ?? DEFAULT_DIFFERING_ROWS;
  const tables = opts.table ? [opts.table] : [...BATCH_TABLES];
  // a store that does not answer is named once, and the others are compared among themselves
  const { reachable, unreachable } = await reachableStores(config);
  const compared = { ...config, stores: reachable };
  const comparisons: TableComparison[] = [];
  for (const table of tables) comparisons.push(await compareTable(compared, table, sinceMs, rowLimit));
  comparisons.push(await compareLedger(compared, opts.table, sinceMs));
  return { identical: unreachable.length === 0 && comparisons.every((c) => c.identical), sinceMs, unreachable, tables: comparisons };
}
