import { FETCH_OPTION_DEFAULTS } from '../../domain/fetch';
import type { OrderBook } from 'ccxt';
import type { DataTypeFetch } from '../fetch-loop';
import { normalizeOrderBook } from '../normalize/orderbook';

/** Top N levels per side unless the collector asks for another depth. */
export const DEFAULT_BOOK_DEPTH = FETCH_OPTION_DEFAULTS.depth;

export const ORDERBOOK: DataTypeFetch<'orderbook', OrderBook> = {
  table: 'orderbook',
  ccxtMethod: 'fetchOrderBook',
  fetchPage: async (exchange, symbol, _cursor, input) => ({ items: [await exchange.fetchOrderBook(symbol, input.options?.depth ?? DEFAULT_BOOK_DEPTH)], full: false }),
  normalize: (exchange, symbol, book, receiveTime, input) =>
    normalizeOrderBook(exchange.id, exchange.market(symbol), book, input.options?.depth ?? DEFAULT_BOOK_DEPTH, receiveTime),
};
