import type { Exchange, MarketInterface as Market } from 'ccxt';
import type { TradeCursor } from '../../domain/batch';
import { lastIdOf } from '../fetch-result';

/**
 * How to page an exchange's public trades forward from a cursor. ccxt unifies `since` but not id paging,
 * so the few exchanges whose history is paged by trade id name their parameter here; everything else uses
 * ccxt's unified `since` contract, and exchanges whose API only returns the newest trades are latest-only.
 *  - from-id: binance/binanceusdm aggTrades `fromId` (ids >= fromId, oldest first)
 *  - okx-before: okx history-trades `before=<tradeId>` (the `limit` trades right after it)
 *  - since: ccxt's `since` (deribit start_timestamp, and the default for any other ccxt exchange)
 *  - latest-only: no cursor parameter at all (bybit recent-trade); each fetch sees the newest page only
 */
export type PagingKind = 'from-id' | 'okx-before' | 'since' | 'latest-only';

export interface PageRequest {
  since?: number;
  limit: number;
  params: Record<string, unknown>;
}

export interface TradePaging {
  kind: PagingKind;
  /** whether further pages move forward from the cursor (false: one page per fetch) */
  forward: boolean;
  request(cursor: TradeCursor | undefined, market: Market): PageRequest;
}

/** Page sizes are the exchanges' documented maxima for these endpoints. */
const PAGING: Record<PagingKind, TradePaging> = {
  'from-id': {
    kind: 'from-id',
    forward: true,
    request(cursor) {
      const lastId = lastIdOf(cursor);
      return { limit: 1000, params: lastId !== undefined && /^\d+$/.test(lastId) ? { fromId: (BigInt(lastId) + 1n).toString() } : {} };
    },
  },
  'okx-before': {
    kind: 'okx-before',
    forward: true,
    request(cursor) {
      const lastId = lastIdOf(cursor);
      // without a cursor: the newest trades (market/trades); with one: the trades right after it (history-trades)
      return lastId === undefined ? { limit: 100, params: {} } : { limit: 100, params: { method: 'publicGetMarketHistoryTrades', before: lastId } };
    },
  },
  since: {
    kind: 'since',
    forward: true,
    request(cursor) {
      return { since: cursor?.lastTime, limit: 1000, params: {} };
    },
  },
  'latest-only': {
    kind: 'latest-only',
    forward: false,
    request(_cursor, market) {
      // bybit recent-trade: spot answers at most 60, derivatives 1000
      return { limit: market.spot ? 60 : 1000, params: {} };
    },
  },
};

/** Exchanges whose trade history is not paged by ccxt's `since`. */
const PAGING_BY_EXCHANGE: Record<string, PagingKind> = {
  binance: 'from-id',
  binanceusdm: 'from-id',
  binancecoinm: 'from-id',
  okx: 'okx-before',
  bybit: 'latest-only',
};

export function tradePaging(exchange: Exchange): TradePaging {
  const kind = PAGING_BY_EXCHANGE[exchange.id];
  if (kind) return PAGING[kind];
  return exchange.has.fetchTrades ? PAGING.since : PAGING['latest-only'];
}
