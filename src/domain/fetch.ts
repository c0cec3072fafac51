import type { Batch } from './batch';
import type { Cursors } from './cursor';
import type { DataType } from './data-types';
import type { CollectionGapRow } from './rows';

/** What a collector can tune per data type; each fetch reads the options that concern it. */
export interface FetchOptions {
  /** order book: top N levels per side */
  depth?: number;
  /** long/short ratios: the exchange's period, ccxt timeframe spelling (5m, 1h) */
  period?: string;
  /** volatility index: resolution in seconds */
  resolution?: number;
}

/** Every fetch activity takes this ONE object: `exchange` names the dependency for the circuit breaker. */
export interface FetchInput {
  exchange: string;
  symbols: string[];
  /** per symbol: the newest item already collected (series types and snapshots alike) */
  cursors: Cursors;
  /** rows per batch at most; BATCH_BOUNDS.maxRows when absent or larger */
  maxRows?: number;
  options?: FetchOptions;
}

/**
 * What every fetch activity returns: the batches to write (at most one per table: the market rows, the
 * quarantined items, the gaps found), the cursors after them, and whether the fetch caught up.
 */
export interface FetchResult {
  batches: Batch[];
  cursors: Cursors;
  /** false when a batch bound cut the fetch short: the collector fetches again at once instead of sleeping */
  caughtUp: boolean;
}

/** The gaps a fetch found (the rows of its collection_gaps batch), to be alerted on. */
export function gapsOf(result: FetchResult): CollectionGapRow[] {
  return result.batches.flatMap((b) => (b.table === 'collection_gaps' ? (b.rows as CollectionGapRow[]) : []));
}

/** Rows of market data (not bookkeeping) a result carries for `table`. */
export function marketRowCount(result: FetchResult, table: DataType): number {
  return result.batches.reduce((n, b) => n + (b.table === table ? b.rows.length : 0), 0);
}
