import type { Batch, TradeCursor, TradeCursors } from '../domain/batch';
import type { DataType } from '../domain/data-types';
import type { RowOf } from '../domain/rows';
import type { CollectionGapRow, QuarantineRow } from '../storage/records';
import { batchIdFor, recordBatchIdFor } from './batches';

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
  cursors: TradeCursors;
  /** upper bound on rows per batch, so payloads stay well under Temporal's limits */
  maxRows: number;
  options?: FetchOptions;
}

export interface FetchResult<T extends DataType = DataType> {
  batch: Batch<T> | null;
  cursors: TradeCursors;
  /** malformed items (and unparseable responses of failed attempts), with their raw payload */
  rejected: QuarantineRow[];
  /** ranges the exchange could no longer serve */
  gaps: CollectionGapRow[];
  /** batch ids for the rejected items and gaps, derived from their content like market batches */
  rejectedBatchId: string | null;
  gapsBatchId: string | null;
  /** false when maxRows cut the fetch short: the collector fetches again at once instead of sleeping */
  caughtUp: boolean;
}

/** Numeric-aware id order: sequential exchange ids compare as integers, others as strings. */
export function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Items strictly after the cursor: later time, or the cursor's time with a key not yet seen. */
export function newerThan(cursor: TradeCursor | undefined, time: number, key: string): boolean {
  if (!cursor) return true;
  if (time !== cursor.lastTime) return time > cursor.lastTime;
  return !cursor.idsAtLastTime.includes(key);
}

/** The cursor after taking `items` (sorted oldest first). */
export function advance(cursor: TradeCursor | undefined, items: ReadonlyArray<{ time: number; key: string }>): TradeCursor | undefined {
  let next = cursor;
  for (const { time, key } of items) {
    if (!next || time > next.lastTime) next = { lastTime: time, idsAtLastTime: [key] };
    else if (time === next.lastTime && !next.idsAtLastTime.includes(key)) next = { ...next, idsAtLastTime: [...next.idsAtLastTime, key] };
  }
  return next;
}

/** The highest id the cursor has seen (ids at its last time), for exchanges that page by id. */
export function lastIdOf(cursor: TradeCursor | undefined): string | undefined {
  if (!cursor?.idsAtLastTime.length) return undefined;
  return [...cursor.idsAtLastTime].sort(compareIds).at(-1);
}

export function fetchResult<T extends DataType>(
  table: T,
  rows: Array<RowOf<T>>,
  cursors: TradeCursors,
  rejected: QuarantineRow[],
  gaps: CollectionGapRow[] = [],
  caughtUp = true,
): FetchResult<T> {
  return {
    batch: rows.length ? { batchId: batchIdFor(table, rows), table, rows } : null,
    cursors,
    rejected,
    gaps,
    rejectedBatchId: rejected.length ? recordBatchIdFor('quarantine', rejected) : null,
    gapsBatchId: gaps.length ? recordBatchIdFor('collection_gaps', gaps) : null,
    caughtUp,
  };
}
