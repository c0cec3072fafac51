import type { Exchange, Trade } from 'ccxt';
import { lastIdOf, type Cursor } from '../../domain/cursor';
import type { TradeRow } from '../../domain/rows';
import type { DataTypeFetch } from '../fetch-loop';
import { normalizeTrade } from '../normalize/trades';
import { tradePaging, type TradePaging } from '../paging/trades';

const isSequential = (id: string | undefined): id is string => id !== undefined && /^\d+$/.test(id);

/**
 * Whether `page` (new trades, oldest first) starts where the cursor ended. With sequential integer ids
 * (okx, binance, bybit, deribit) the first new id must be the cursor's last id + 1. Otherwise, a page
 * from a latest-only endpoint must reach back to the cursor's time, or trades in between may be lost.
 */
export function discontinuity(cursor: Cursor | undefined, page: readonly TradeRow[], oldestSeen: TradeRow | undefined, paging: TradePaging): string | undefined {
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

/**
 * Gap-free public trades: each symbol is paged forward from its cursor the way its exchange pages
 * (paging/trades.ts, venues/*.ts), deduplicated on trade id; where the exchange no longer serves the trades
 * right after the cursor, the range is recorded as a gap.
 */
export const TRADES: DataTypeFetch<'trades', Trade> = {
  table: 'trades',
  ccxtMethod: 'fetchTrades',
  async fetchPage(exchange: Exchange, symbol, cursor) {
    const request = tradePaging(exchange).request(cursor, exchange.market(symbol));
    const items = await exchange.fetchTrades(symbol, request.since, request.limit, request.params);
    return { items, full: items.length >= request.limit };
  },
  normalize: (exchange, symbol, trade, receiveTime) => normalizeTrade(exchange.id, exchange.market(symbol), trade, receiveTime),
  key: (row) => row.tradeId,
  pagesForward: (exchange) => tradePaging(exchange).forward,
  discontinuity: (exchange, cursor, fresh, oldestSeen) => discontinuity(cursor, fresh, oldestSeen, tradePaging(exchange)),
};
