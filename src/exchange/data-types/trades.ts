import type { Exchange, Trade } from 'ccxt';
import type { TradeCursor, TradeCursors } from '../../domain/batch';
import type { TradeRow } from '../../domain/rows';
import type { CollectionGapRow, QuarantineRow } from '../../storage/records';
import { callExchange } from '../../reliability/response-headers';
import type { ExchangePool } from '../pool';
import { advance, compareIds, fetchResult, lastIdOf, newerThan, type FetchInput, type FetchResult } from '../fetch-result';
import { quarantiningUnparseable } from '../unparseable-bodies';
import { normalizeTrade } from '../normalize/trades';
import { tradePaging, type TradePaging } from '../paging/trades';

export type FetchTradesInput = FetchInput;
export type FetchTradesResult = FetchResult<'trades'>;

export { advance, newerThan } from '../fetch-result';

const isSequential = (id: string | undefined): id is string => id !== undefined && /^\d+$/.test(id);

/**
 * Whether `page` (new trades, oldest first) starts where the cursor ended. With sequential integer ids
 * (okx, binance, bybit, deribit) the first new id must be the cursor's last id + 1. Otherwise, a page
 * from a latest-only endpoint must reach back to the cursor's time, or trades in between may be lost.
 */
export function discontinuity(cursor: TradeCursor | undefined, page: TradeRow[], oldestSeen: TradeRow | undefined, paging: TradePaging): string | undefined {
  const lastId = lastIdOf(cursor);
  const [first] = page;
  if (!cursor || !first) return undefined;
  if (isSequential(lastId) && isSequential(first.tradeId)) {
    const missing = BigInt(first.tradeId) - BigInt(lastId) - 1n;
    return missing > 0n ? `${missing} trades (ids ${BigInt(lastId) + 1n}..${BigInt(first.tradeId) - 1n}) are no longer served by the exchange` : undefined;
  }
  if (!paging.forward && oldestSeen && oldestSeen.eventTime > cursor.lastTime) {
    return `the newest page starts at ${new Date(oldestSeen.eventTime).toISOString()}, after the last collected trade; trades in between may be lost`;
  }
  return undefined;
}

interface SymbolTrades {
  rows: TradeRow[];
  cursor: TradeCursor | undefined;
  rejected: QuarantineRow[];
  gaps: CollectionGapRow[];
  caughtUp: boolean;
}

/** Pages one symbol forward from its cursor until caught up or `room` rows are taken. */
async function fetchSymbol(exchange: Exchange, input: FetchInput, symbol: string, start: TradeCursor | undefined, room: number): Promise<SymbolTrades> {
  const paging = tradePaging(exchange);
  const market = exchange.market(symbol);
  const out: SymbolTrades = { rows: [], cursor: start, rejected: [], gaps: [], caughtUp: true };
  for (;;) {
    const request = paging.request(out.cursor, market);
    const trades: Trade[] = await callExchange(exchange, () => exchange.fetchTrades(symbol, request.since, request.limit, request.params));
    const receiveTime = Date.now();
    const valid: TradeRow[] = [];
    for (const trade of trades) {
      const result = normalizeTrade(input.exchange, market, trade, receiveTime);
      if (result.ok) valid.push(result.row);
      else out.rejected.push({ exchange: input.exchange, dataType: 'trades', symbol, reason: result.rejected.reason, raw: JSON.stringify(result.rejected.raw) ?? 'undefined', receivedAt: receiveTime });
    }
    valid.sort((a, b) => a.eventTime - b.eventTime || compareIds(a.tradeId, b.tradeId));
    const seen = new Set<string>();
    const fresh = valid.filter((row) => newerThan(out.cursor, row.eventTime, row.tradeId) && !seen.has(row.tradeId) && seen.add(row.tradeId));
    const problem = discontinuity(out.cursor, fresh, valid[0], paging);
    if (problem && out.cursor) {
      out.gaps.push({ exchange: input.exchange, dataType: 'trades', symbol, fromTime: out.cursor.lastTime, toTime: fresh[0].eventTime, reason: problem, detectedAt: receiveTime });
    }
    const taken = fresh.slice(0, Math.max(0, room - out.rows.length));
    out.rows.push(...taken);
    out.cursor = advance(out.cursor, taken.map((r) => ({ time: r.eventTime, key: r.tradeId })));
    if (taken.length < fresh.length) {
      out.caughtUp = false;
      return out;
    }
    // caught up: the page was not full, or brought nothing new, or the exchange has no forward paging
    if (!paging.forward || fresh.length === 0 || trades.length < request.limit) return out;
  }
}

/**
 * Gap-free trades: every symbol is paged forward from its cursor (see trade-paging.ts), deduplicated on
 * trade id, until caught up or maxRows is reached. Where the exchange no longer serves the trades right
 * after the cursor, the range is returned as a gap, never silently skipped.
 */
export function fetchTradesActivity(pool: ExchangePool) {
  return async function fetchTrades(input: FetchTradesInput): Promise<FetchTradesResult> {
    return quarantiningUnparseable(input.exchange, 'trades', async (current) => {
      const exchange = await pool.get(input.exchange);
      const rows: TradeRow[] = [];
      const rejected: QuarantineRow[] = [];
      const gaps: CollectionGapRow[] = [];
      const cursors: TradeCursors = { ...input.cursors };
      let caughtUp = true;
      for (const symbol of input.symbols) {
        current.symbol = symbol;
        if (rows.length >= input.maxRows) {
          caughtUp = false; // no room left in this batch: the next iteration starts with this symbol's cursor
          continue;
        }
        const got = await fetchSymbol(exchange, input, symbol, cursors[symbol], input.maxRows - rows.length);
        rows.push(...got.rows);
        rejected.push(...got.rejected);
        gaps.push(...got.gaps);
        if (got.cursor) cursors[symbol] = got.cursor;
        caughtUp &&= got.caughtUp;
      }
      return fetchResult('trades', rows, cursors, rejected, gaps, caughtUp);
    });
  };
}
