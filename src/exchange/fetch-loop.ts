import type { Exchange } from 'ccxt';
import { BATCH_BOUNDS, type Batch } from '../domain/batch';
import { advance, compareIds, newerThan, type Cursor, type Cursors } from '../domain/cursor';
import type { DataType } from '../domain/data-types';
import type { FetchInput, FetchResult } from '../domain/fetch';
import type { AnyRow, CollectionGapRow, QuarantineRow, RowOf } from '../domain/rows';
import { callExchange } from '../reliability/response-headers';
import { batchOf } from './batches';
import type { Normalized } from './normalize/common';
import type { ExchangePool } from './pool';
import { quarantiningUnparseable } from './unparseable-bodies';

/** One answer of the exchange for one symbol. */
export interface Page<Item> {
  items: Item[];
  /** the page was as long as asked for: more may follow right after it (paged types only) */
  full: boolean;
}

/**
 * How one data type is fetched for one symbol and mapped to rows (data-types/*.ts); the loop around it,
 * shared by every data type, is fetchActivity below.
 */
export interface DataTypeFetch<T extends DataType, Item> {
  table: T;
  /** the ccxt unified method behind the type: an exchange serves the type when ccxt says it `has` it */
  ccxtMethod: string;
  /** one request (or a fixed sequence) for one symbol, asking only for what follows `cursor` where it can */
  fetchPage(exchange: Exchange, symbol: string, cursor: Cursor | undefined, input: FetchInput): Promise<Page<Item>>;
  normalize(exchange: Exchange, symbol: string, item: Item, receiveTime: number, input: FetchInput): Normalized<RowOf<T>>;
  /** what distinguishes two items at the same time (default: the time itself, i.e. one item per instant) */
  key?(row: RowOf<T>): string;
  /** whether a full page is followed by the next one from the advanced cursor (default: one page per fetch) */
  pagesForward?(exchange: Exchange): boolean;
  /**
   * Why `fresh` (new rows, oldest first) does not start where the cursor ended, or undefined when it does:
   * the range in between is recorded as a gap, never silently skipped. `oldestSeen` is the page's oldest row.
   */
  discontinuity?(exchange: Exchange, cursor: Cursor, fresh: ReadonlyArray<RowOf<T>>, oldestSeen: RowOf<T> | undefined): string | undefined;
}

/**
 * The longest prefix of rows whose JSON fits in `budget` bytes (deep order books are the large rows). When
 * the batch is still empty one row is always taken, so an oversized row cannot stall a collector forever.
 */
export function withinBytes<R>(rows: R[], budget: number, batchEmpty = false): R[] {
  let used = 0;
  for (let i = 0; i < rows.length; i++) {
    used += JSON.stringify(rows[i]).length;
    if (used > budget) return rows.slice(0, Math.max(i, batchEmpty ? 1 : 0));
  }
  return rows;
}

function rawJson(raw: unknown): string {
  try {
    return JSON.stringify(raw) ?? 'undefined';
  } catch {
    return String(raw);
  }
}

/** What one fetch has gathered so far, over all its symbols. */
class Gathered<T extends DataType> {
  readonly rows: Array<RowOf<T>> = [];
  readonly rejected: QuarantineRow[] = [];
  readonly gaps: CollectionGapRow[] = [];
  bytes = 0;
  caughtUp = true;

  constructor(
    readonly maxRows: number,
    readonly maxBytes: number,
  ) {}

  full(): boolean {
    return this.rows.length >= this.maxRows || this.bytes >= this.maxBytes;
  }

  /** Takes as many of `fresh` as the bounds allow; returns those taken. */
  take(fresh: Array<RowOf<T>>): Array<RowOf<T>> {
    const taken = withinBytes(fresh.slice(0, Math.max(0, this.maxRows - this.rows.length)), this.maxBytes - this.bytes, this.rows.length === 0);
    for (const row of taken) this.bytes += JSON.stringify(row).length;
    this.rows.push(...taken);
    if (taken.length < fresh.length) this.caughtUp = false;
    return taken;
  }
}

/** Pages one symbol forward from its cursor until caught up or the batch is full; returns the advanced cursor. */
async function fetchSymbol<T extends DataType, Item>(exchange: Exchange, spec: DataTypeFetch<T, Item>, input: FetchInput, symbol: string, start: Cursor | undefined, out: Gathered<T>): Promise<Cursor | undefined> {
  const keyOf = spec.key ?? ((row: RowOf<T>) => String(row.eventTime));
  const forward = spec.pagesForward?.(exchange) ?? false;
  const pagingUntil = Date.now() + BATCH_BOUNDS.maxPagingMs;
  let cursor = start;
  for (;;) {
    const page = await callExchange(exchange, () => spec.fetchPage(exchange, symbol, cursor, input));
    const receiveTime = Date.now();
    const valid: Array<RowOf<T>> = [];
    for (const item of page.items) {
      const result = spec.normalize(exchange, symbol, item, receiveTime, input);
      if (result.ok) valid.push(result.row);
      else out.rejected.push({ exchange: input.exchange, dataType: spec.table, symbol, reason: result.rejected.reason, raw: rawJson(result.rejected.raw), receivedAt: receiveTime });
    }
    valid.sort((a, b) => a.eventTime - b.eventTime || compareIds(keyOf(a), keyOf(b)));
    const seen = new Set<string>();
    const fresh = valid.filter((row) => {
      const id = `${row.eventTime}|${keyOf(row)}`;
      return newerThan(cursor, row.eventTime, keyOf(row)) && !seen.has(id) && Boolean(seen.add(id));
    });
    const problem = cursor && spec.discontinuity?.(exchange, cursor, fresh, valid[0]);
    if (cursor && problem) {
      out.gaps.push({ exchange: input.exchange, dataType: spec.table, symbol, fromTime: cursor.lastTime, toTime: fresh[0]?.eventTime ?? receiveTime, reason: problem, detectedAt: receiveTime });
    }
    const taken = out.take(fresh);
    cursor = advance(cursor, taken.map((r) => ({ time: r.eventTime, key: keyOf(r) })));
    // caught up: cut short by the bounds, or the page was not full, or brought nothing new, or there is no next page
    if (taken.length < fresh.length || !forward || !page.full || fresh.length === 0) return cursor;
    if (Date.now() >= pagingUntil) {
      out.caughtUp = false; // a backlog: store what we have, page on from the cursor in the next fetch
      return cursor;
    }
  }
}

/**
 * The fetch activity of one data type. Fetches every symbol from its cursor, drops what the cursor already
 * covers, deduplicates, quarantines malformed items with their raw payload, records gaps, and returns at most
 * one batch per table (market rows within BATCH_BOUNDS and input.maxRows, quarantined items, gaps) with the
 * advanced cursors. Symbols left when the batch is full are fetched next time (caughtUp = false).
 * Throws what ccxt throws (classified by the worker's interceptor); an unparseable body fails carrying a
 * quarantine batch (unparseable-bodies.ts).
 */
export function fetchActivity<T extends DataType, Item>(pool: ExchangePool, spec: DataTypeFetch<T, Item>) {
  return (input: FetchInput): Promise<FetchResult> =>
    quarantiningUnparseable(input.exchange, spec.table, async (current) => {
      const exchange = await pool.get(input.exchange);
      const out = new Gathered<T>(Math.min(input.maxRows ?? BATCH_BOUNDS.maxRows, BATCH_BOUNDS.maxRows), BATCH_BOUNDS.maxBytes);
      const cursors: Cursors = { ...input.cursors };
      for (const symbol of input.symbols) {
        if (out.full()) {
          out.caughtUp = false; // no room left in this batch: the next iteration starts with this symbol's cursor
          continue;
        }
        current.symbol = symbol;
        const next = await fetchSymbol(exchange, spec, input, symbol, cursors[symbol], out);
        if (next) cursors[symbol] = next;
      }
      const batches: Batch[] = [];
      for (const batch of [batchOf<DataType>(spec.table, out.rows as AnyRow[]), batchOf('quarantine', out.rejected), batchOf('collection_gaps', out.gaps)]) {
        if (batch) batches.push(batch);
      }
      return { batches, cursors, caughtUp: out.caughtUp };
    });
}
