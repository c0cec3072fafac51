import type { Exchange, Liquidation } from 'ccxt';
import type { Cursor } from '../../domain/cursor';
import { quirksOf, type LiquidationPagingKind } from '../venues';

/**
 * How to ask an exchange for the liquidations after a cursor: ccxt's unified `since` (the earliest time), or,
 * where the venue answers newest first from a latest time (venues/deribit.ts), the newest page and then back
 * with the exchange's `continuation` token until a page reaches past the cursor; the fetch loop then drops what
 * the cursor already covers and keeps the rest oldest first.
 */
export function liquidationPaging(exchange: Exchange): LiquidationPagingKind {
  return quirksOf(exchange.id).liquidationPaging ?? 'since';
}

/** settlements per deribit request (the API's default is 20, its maximum 1000) */
export const NEWEST_BACK_PAGE = 100;
/**
 * Pages per fetch at most: 2 000 settlements, as many as one batch holds (BATCH_BOUNDS.maxRows). Beyond it the
 * oldest are not fetched (a known limit in docs/collection.md): bankruptcies are rare, so only a very long
 * outage could miss that many.
 */
export const NEWEST_BACK_MAX_PAGES = 20;

/** ccxt leaves deribit's continuation token on the first and last item's info (addPaginationCursorToResult). */
function continuationOf(page: Liquidation[]): string | undefined {
  for (const item of [page.at(-1), page[0]]) {
    const token = (item?.info as Record<string, unknown> | undefined)?.continuation;
    if (typeof token === 'string' && token !== '') return token;
  }
  return undefined;
}

async function newestBack(exchange: Exchange, symbol: string, cursor: Cursor | undefined): Promise<Liquidation[]> {
  const items: Liquidation[] = [];
  let continuation: string | undefined;
  for (let page = 0; page < NEWEST_BACK_MAX_PAGES; page++) {
    const got = await exchange.fetchLiquidations(symbol, undefined, NEWEST_BACK_PAGE, continuation === undefined ? {} : { continuation });
    items.push(...got);
    continuation = continuationOf(got);
    // without a cursor the newest page is where collection starts; with one, stop once a page reaches past it
    const oldest = Math.min(...got.map((l) => (typeof l.timestamp === 'number' ? l.timestamp : Infinity)));
    if (cursor === undefined || continuation === undefined || got.length === 0 || oldest < cursor.lastTime) break;
  }
  return items;
}

/** The liquidations after `cursor` (and possibly some before it, which the caller drops). */
export function fetchLiquidationsAfter(exchange: Exchange, symbol: string, cursor: Cursor | undefined): Promise<Liquidation[]> {
  if (liquidationPaging(exchange) === 'newest-back') return newestBack(exchange, symbol, cursor);
  return exchange.fetchLiquidations(symbol, cursor?.lastTime);
}
