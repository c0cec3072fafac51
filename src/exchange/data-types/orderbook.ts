import type { ExchangePool } from '../pool';
import { perSymbolActivity } from '../fetch-loop';
import { normalizeOrderBook } from '../normalize/orderbook';

/** Top N levels per side unless the collector asks for another depth. */
export const DEFAULT_BOOK_DEPTH = 10;

export function fetchOrderBookActivity(pool: ExchangePool) {
  return perSymbolActivity(pool, {
    table: 'orderbook',
    fetch: async (exchange, symbol, _cursor, input) => [await exchange.fetchOrderBook(symbol, input.options?.depth ?? DEFAULT_BOOK_DEPTH)],
    normalize: (exchange, symbol, book, receiveTime, input) =>
      normalizeOrderBook(exchange.id, exchange.market(symbol), book, input.options?.depth ?? DEFAULT_BOOK_DEPTH, receiveTime),
  });
}
