import type { MarketInterface as Market, OrderBook } from 'ccxt';
import type { OrderBookRow } from '../../domain/rows';
import { base, MalformedItem, normalizeWith, num, snapshotTime, type Normalized } from './common';
import { contractSpec } from './sizes';

function levels(side: unknown, field: string, depth: number): Array<[number, number]> {
  if (!Array.isArray(side)) throw new MalformedItem(`${field} is not a list of levels`);
  return side.slice(0, depth).map((level: unknown, i) => {
    if (!Array.isArray(level)) throw new MalformedItem(`${field}[${i}] is not a [price, amount] level`);
    return [num(level[0], `${field}[${i}].price`), num(level[1], `${field}[${i}].amount`)];
  });
}

/** Top-N levels each side, best first; an empty side is kept (a real, if thin, book), a malformed level is not. */
export function orderBookRow(exchange: string, market: Market, book: OrderBook, depth: number, receiveTime: number): OrderBookRow {
  const row = {
    ...base(exchange, market, snapshotTime(book.timestamp, undefined, receiveTime), receiveTime),
    bids: levels(book.bids, 'bids', depth),
    asks: levels(book.asks, 'asks', depth),
    depth,
    contractSize: contractSpec(market).contractSize,
  };
  if (row.bids.length === 0 && row.asks.length === 0) throw new MalformedItem('book has no bids and no asks');
  return row;
}

export function normalizeOrderBook(exchange: string, market: Market, book: OrderBook, depth: number, receiveTime: number): Normalized<OrderBookRow> {
  return normalizeWith('orderbook', (b: OrderBook) => orderBookRow(exchange, market, b, depth, receiveTime), book, { bids: book.bids?.slice?.(0, depth), asks: book.asks?.slice?.(0, depth), timestamp: book.timestamp });
}
