import type { Exchange } from 'ccxt';
import { MAX_BATCH_BYTES, type TradeCursor, type TradeCursors } from '../domain/batch';
import type { DataType } from '../domain/data-types';
import type { RowOf } from '../domain/rows';
import type { QuarantineRow } from '../storage/records';
import { callExchange } from '../reliability/response-headers';
import type { ExchangePool } from './pool';
import { advance, fetchResult, newerThan, type FetchInput, type FetchResult } from './fetch-result';
import { quarantiningUnparseable } from './unparseable-bodies';
import type { Normalized } from './normalize/common';

/** How one data type is fetched for one symbol and mapped to rows; the loop around it is shared. */
export interface PerSymbolFetch<T extends DataType, Item> {
  table: T;
  /** the ccxt call(s) for one symbol; `cursor` lets series types ask only for what is new */
  fetch(exchange: Exchange, symbol: string, cursor: TradeCursor | undefined, input: FetchInput): Promise<Item[]>;
  normalize(exchange: Exchange, symbol: string, item: Item, receiveTime: number, input: FetchInput): Normalized<RowOf<T>>;
  /** what distinguishes two items at the same time (default: the time itself, i.e. one item per instant) */
  key?(row: RowOf<T>): string;
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

/**
 * Fetches every symbol, drops what the cursor already covers, rejects malformed items with their raw
 * payload, and returns one batch of at most maxRows rows with the advanced cursors.
 */
export function perSymbolActivity<T extends DataType, Item>(pool: ExchangePool, spec: PerSymbolFetch<T, Item>) {
  const keyOf = spec.key ?? ((row: RowOf<T>) => String(row.eventTime));
  return (input: FetchInput): Promise<FetchResult<T>> =>
    quarantiningUnparseable(input.exchange, spec.table, async (current) => {
      const exchange = await pool.get(input.exchange);
      const rows: Array<RowOf<T>> = [];
      const rejected: QuarantineRow[] = [];
      const cursors: TradeCursors = { ...input.cursors };
      let caughtUp = true;
      let bytes = 0;
      for (const symbol of input.symbols) {
        current.symbol = symbol;
        const cursor = cursors[symbol];
        const items = await callExchange(exchange, () => spec.fetch(exchange, symbol, cursor, input));
        const receiveTime = Date.now();
        const fresh: Array<RowOf<T>> = [];
        for (const item of items) {
          const result = spec.normalize(exchange, symbol, item, receiveTime, input);
          if (!result.ok) {
            rejected.push({ exchange: input.exchange, dataType: spec.table, symbol, reason: result.rejected.reason, raw: rawJson(result.rejected.raw), receivedAt: receiveTime });
          } else if (newerThan(cursor, result.row.eventTime, keyOf(result.row)) && !fresh.some((r) => r.eventTime === result.row.eventTime && keyOf(r) === keyOf(result.row))) {
            fresh.push(result.row);
          }
        }
        fresh.sort((a, b) => a.eventTime - b.eventTime);
        const room = Math.max(0, input.maxRows - rows.length);
        const taken = withinBytes(fresh.slice(0, room), MAX_BATCH_BYTES - bytes, rows.length === 0);
        if (taken.length < fresh.length) caughtUp = false;
        bytes += taken.reduce((sum, r) => sum + JSON.stringify(r).length, 0);
        rows.push(...taken);
        const next = advance(cursor, taken.map((r) => ({ time: r.eventTime, key: keyOf(r) })));
        if (next) cursors[symbol] = next;
      }
      return fetchResult(spec.table, rows, cursors, rejected, [], caughtUp);
    });
}
