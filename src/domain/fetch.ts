import { rowCountOf, type WritableBatch } from './batch';
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

/**
 * The shortest polling interval a collector takes. An exchange's collection calls are admitted at 10 per
 * second by default (DEFAULT_POLICIES.rateLimits, src/reliability/policies.ts), so a shorter interval could not
 * be served even for one collector: it would only queue in the rate limiter, while every iteration still adds
 * workflow history (a fetch, its writes, a timer) and turns it over through continue-as-new.
 */
export const MIN_COLLECT_INTERVAL_MS = 100;

/** What a fetch uses when the collector does not name an option. */
export const FETCH_OPTION_DEFAULTS = {
  depth: 10,
  period: '5m',
  resolution: 3_600,
} as const satisfies Required<FetchOptions>;

/**
 * The options that change what a collector of each type stores (how deep a book, which ratio buckets, which
 * volatility resolution): part of a collector's identity, so two collectors differing only by them are two
 * collectors (src/client/collectors.ts). Other types ignore every option.
 */
export const STORED_OPTIONS: { readonly [T in DataType]: ReadonlyArray<keyof FetchOptions> } = {
  trades: [],
  orderbook: ['depth'],
  funding_rate: [],
  open_interest: [],
  liquidations: [],
  lsr_top_position: ['period'],
  lsr_all_account: ['period'],
  volatility_index: ['resolution'],
  ticker: [],
};

/**
 * The options of `options` that concern `type` and differ from their defaults, in STORED_OPTIONS order; an
 * option equal to its default is left out, so `--depth 10` and no `--depth` name the same collector.
 */
export function storedOptions(type: DataType, options: FetchOptions | undefined): FetchOptions {
  const out: Record<string, unknown> = {};
  for (const name of STORED_OPTIONS[type]) {
    const value = options?.[name];
    if (value !== undefined && value !== FETCH_OPTION_DEFAULTS[name]) out[name] = value;
  }
  return out as FetchOptions;
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
  /** epoch ms: take only items before this time, and count a symbol caught up once its pages reach it (backfill) */
  untilTime?: number;
  /**
   * Keep the market batch in the fetching worker and return a StagedBatch for it (src/domain/batch.ts), when that
   * worker serves a staging queue; otherwise, and for bookkeeping batches, rows come back inline.
   */
  stage?: boolean;
}

/**
 * What every fetch activity returns: the batches to write (at most one per table: the market rows, the
 * quarantined items, the gaps found), the cursors after them, and whether the fetch caught up.
 */
export interface FetchResult {
  batches: WritableBatch[];
  cursors: Cursors;
  /** false when a batch bound cut the fetch short: the collector fetches again at once instead of sleeping */
  caughtUp: boolean;
}

/** The gaps a fetch found (the rows of its collection_gaps batch), to be alerted on. */
export function gapsOf(result: FetchResult): CollectionGapRow[] {
  return result.batches.flatMap((b) => (b.table === 'collection_gaps' && 'rows' in b ? (b.rows as CollectionGapRow[]) : []));
}

/** Rows of market data (not bookkeeping) a result carries for `table`. */
export function marketRowCount(result: FetchResult, table: DataType): number {
  return result.batches.reduce((n, b) => n + (b.table === table ? rowCountOf(b) : 0), 0);
}
