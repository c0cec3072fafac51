import type { Exchange } from 'ccxt';
import { BATCH_BOUNDS, type Batch } from '../domain/batch';
import { advance, compareIds, comparePositions, isFresh, lastIdOf, passOver, type Cursor, type CursorOrder, type Cursors, type Position } from '../domain/cursor';
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
 * One new item of a page as a gap check sees it: a row (with its time), or a quarantined item (no trusted time,
 * but still holding its place in the exchange's sequence where its key or sequence number could be read).
 */
export interface FreshItem {
  time?: number;
  key?: string;
  seq?: string;
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
  /** what decides that an item is new, and the order items are taken in (default: time, then key) */
  cursorOrder?(exchange: Exchange): CursorOrder;
  /**
   * What can be read from a raw item even when it cannot be normalized: its key (the trade id) and the
   * exchange's per-instrument sequence number where gaps are detected on one (deribit trade_seq).
   */
  position?(exchange: Exchange, item: Item): { key?: string; seq?: string };
  /**
   * Why `fresh` (the page's new items, valid and quarantined, in taken order) does not start where the cursor
   * ended, or undefined when it does: the range in between is recorded as a gap, never silently skipped.
   * `oldestSeen` is the page's oldest valid row.
   */
  discontinuity?(exchange: Exchange, cursor: Cursor, fresh: readonly FreshItem[], oldestSeen: RowOf<T> | undefined): string | undefined;
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

  /** no room for more rows (or quarantined items: they travel through history as well) */
  full(): boolean {
    return this.rows.length >= this.maxRows || this.bytes >= this.maxBytes || this.rejected.length >= this.maxRows;
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

/** A page item that normalized: its row and where it stands. */
type Valid<R> = Position & { row: R };
/** A page item that did not: its quarantine row and what of its place could be read. */
type Quarantined = { key?: string; seq?: string; quarantine: QuarantineRow };

/** Whether the cursor is known to be past `item` (by id in id order, else by sequence number). */
function behind(cursor: Cursor | undefined, item: { key?: string; seq?: string }, order: CursorOrder): boolean | undefined {
  if (!cursor) return undefined;
  const lastId = order === 'id' ? lastIdOf(cursor) : undefined;
  if (lastId !== undefined && item.key !== undefined && /^\d+$/.test(item.key) && /^\d+$/.test(lastId)) return compareIds(item.key, lastId) <= 0;
  if (cursor.lastSeq !== undefined && item.seq !== undefined) return compareIds(item.seq, cursor.lastSeq) <= 0;
  return undefined;
}

/** Pages one symbol forward from its cursor until caught up or the batch is full; returns the advanced cursor. */
async function fetchSymbol<T extends DataType, Item>(exchange: Exchange, spec: DataTypeFetch<T, Item>, input: FetchInput, symbol: string, start: Cursor | undefined, out: Gathered<T>): Promise<Cursor | undefined> {
  const keyOf = spec.key ?? ((row: RowOf<T>) => String(row.eventTime));
  const forward = spec.pagesForward?.(exchange) ?? false;
  const order = spec.cursorOrder?.(exchange) ?? 'time';
  const pagingUntil = Date.now() + BATCH_BOUNDS.maxPagingMs;
  let cursor = start;
  for (;;) {
    const page = await callExchange(exchange, () => spec.fetchPage(exchange, symbol, cursor, input));
    const receiveTime = Date.now();
    const valid: Array<Valid<RowOf<T>>> = [];
    const quarantined: Quarantined[] = [];
    for (const item of page.items) {
      const { key, seq } = spec.position?.(exchange, item) ?? {};
      const result = spec.normalize(exchange, symbol, item, receiveTime, input);
      if (result.ok) valid.push({ row: result.row, time: result.row.eventTime, key: keyOf(result.row), ...(seq !== undefined && { seq }) });
      else quarantined.push({ key, seq, quarantine: { exchange: input.exchange, dataType: spec.table, symbol, reason: result.rejected.reason, raw: rawJson(result.rejected.raw), receivedAt: receiveTime } });
    }
    valid.sort(comparePositions(order));
    const seen = new Set<string>();
    const fresh = valid.filter((v) => {
      const id = `${v.time}|${v.key}`;
      return isFresh(cursor, v, order) && !seen.has(id) && Boolean(seen.add(id));
    });
    // an item quarantined when it was first served is not quarantined again once the cursor is past it
    const newlyQuarantined = quarantined.filter((q) => behind(cursor, q, order) !== true);
    const oldestSeen = valid.reduce<Valid<RowOf<T>> | undefined>((oldest, v) => (oldest === undefined || v.time < oldest.time ? v : oldest), undefined)?.row;
    const problem = cursor && spec.discontinuity?.(exchange, cursor, [...fresh, ...newlyQuarantined], oldestSeen);
    if (cursor && problem) {
      const firstTime = fresh[0]?.time ?? receiveTime;
      out.gaps.push({ exchange: input.exchange, dataType: spec.table, symbol, fromTime: cursor.lastTime, toTime: Math.max(cursor.lastTime, firstTime), reason: problem, detectedAt: receiveTime });
    }
    // a bounded fetch (backfill) takes the items before its end, in taken order, and stops for this symbol there
    const end = input.untilTime === undefined ? -1 : fresh.findIndex((v) => v.time >= (input.untilTime as number));
    const bounded = end < 0 ? fresh : fresh.slice(0, end);
    const taken = bounded.slice(0, out.take(bounded.map((v) => v.row)).length);
    const cut = taken.length < bounded.length;
    const reachedEnd = end >= 0;
    cursor = advance(cursor, taken, order);
    // when the batch was cut, a quarantined item known to lie beyond the cursor waits for the fetch that gets there
    const quarantinedNow = newlyQuarantined.filter((q) => !(cut && behind(cursor, q, order) === false));
    out.rejected.push(...quarantinedNow.map((q) => q.quarantine));
    if (cursor && quarantinedNow.length) cursor = passOver(cursor, quarantinedNow, order);
    const progressed = taken.length > 0 || quarantinedNow.length > 0;
    // caught up: cut short by the bounds, or the page was not full, or brought nothing new, or there is no next page
    if (cut || reachedEnd || !forward || !page.full || !progressed) return cursor;
    // a backlog, or a full batch: store what we have, page on from the cursor in the next fetch (at once)
    if (out.full() || Date.now() >= pagingUntil) {
      out.caughtUp = false;
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
  return (input: FetchInput): Promise<FetchResult> => fetchBatches(pool, spec, input);
}

/**
 * One fetch as fetchActivity makes it, with `keep` deciding which market rows go into the batch (backfill drops
 * rows the stores already hold); the cursors move past every row fetched, kept or not.
 */
export function fetchBatches<T extends DataType, Item>(pool: ExchangePool, spec: DataTypeFetch<T, Item>, input: FetchInput, keep?: (rows: Array<RowOf<T>>) => Promise<Array<RowOf<T>>>): Promise<FetchResult> {
  return quarantiningUnparseable(input.exchange, spec.table, async (current) => {
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
    const rows = keep ? await keep(out.rows) : out.rows;
    const batches: Batch[] = [];
    for (const batch of [batchOf<DataType>(spec.table, rows as AnyRow[]), batchOf('quarantine', out.rejected), batchOf('collection_gaps', out.gaps)]) {
      if (batch) batches.push(batch);
    }
    return { batches, cursors, caughtUp: out.caughtUp };
  });
}
