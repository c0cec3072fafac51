import type { Exchange, MarketInterface as Market } from 'ccxt';
import { lastIdOf, type Cursor, type CursorOrder } from '../../domain/cursor';
import { quirksOf, type TradePagingKind, type TradePagingQuirk } from '../venues';

export interface PageRequest {
  since?: number;
  limit: number;
  params: Record<string, unknown>;
}

export interface TradePaging {
  kind: TradePagingKind;
  /** whether further pages move forward from the cursor (false: one page per fetch) */
  forward: boolean;
  /**
   * What is new and in which order trades are taken: by id where the exchange is paged by id (the request
   * names the last id, and an id's time may be earlier than the one before it, ccxt #8329), else by time.
   */
  order: CursorOrder;
  request(cursor: Cursor | undefined, market: Market): PageRequest;
}

/** The ccxt fetchTrades arguments of each paging kind, for one page starting right after the cursor. */
const REQUEST: Record<TradePagingKind, (cursor: Cursor | undefined, limit: number) => PageRequest> = {
  // a cursor with a time but no id (a backfill's start) asks by time: binance answers the hour from `since`
  'from-id': (cursor, limit) => {
    const lastId = lastIdOf(cursor);
    if (lastId !== undefined && /^\d+$/.test(lastId)) return { limit, params: { fromId: (BigInt(lastId) + 1n).toString() } };
    return cursor ? { since: cursor.lastTime + 1, limit, params: {} } : { limit, params: {} };
  },
  // without a cursor: the newest trades (market/trades); with one: the trades right after it (history-trades)
  'okx-before': (cursor, limit) => {
    const lastId = lastIdOf(cursor);
    return lastId === undefined ? { limit, params: {} } : { limit, params: { method: 'publicGetMarketHistoryTrades', before: lastId } };
  },
  since: (cursor, limit) => ({ since: cursor?.lastTime, limit, params: {} }),
  'latest-only': (_cursor, limit) => ({ limit, params: {} }),
};

const UNIFIED_SINCE: TradePagingQuirk = { kind: 'since', pageLimit: () => 1000 };
const LATEST_ONLY: TradePagingQuirk = { kind: 'latest-only', pageLimit: () => 1000 };

/** How `exchange` pages trades: its venue quirk, else ccxt's `since` where it has fetchTrades. */
export function tradePaging(exchange: Exchange): TradePaging {
  const quirk = quirksOf(exchange.id).tradePaging ?? (exchange.has.fetchTrades ? UNIFIED_SINCE : LATEST_ONLY);
  return {
    kind: quirk.kind,
    forward: quirk.kind !== 'latest-only',
    order: quirk.kind === 'from-id' || quirk.kind === 'okx-before' ? 'id' : 'time',
    request: (cursor, market) => REQUEST[quirk.kind](cursor, quirk.pageLimit(market)),
  };
}
