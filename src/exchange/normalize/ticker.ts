import type { MarketInterface as Market, Ticker } from 'ccxt';
import type { TickerRow } from '../../domain/rows';
import { base, MalformedItem, normalizeWith, nullable, snapshotTime, type Normalized } from './common';

/**
 * Each price and volume the exchange gives; what it does not give is null, never 0. An instrument that has not
 * traded yet has no last price but a real bid and ask (deribit options, ccxt #626): stored with last NULL. A
 * ticker with no last, bid or ask at all says nothing about the price and is rejected.
 */
export function tickerRow(exchange: string, market: Market, ticker: Ticker, receiveTime: number): TickerRow {
  const row = {
    ...base(exchange, market, snapshotTime(ticker.timestamp, undefined, receiveTime), receiveTime),
    last: nullable(ticker.last, 'last'),
    bid: nullable(ticker.bid, 'bid'),
    ask: nullable(ticker.ask, 'ask'),
    baseVolume: nullable(ticker.baseVolume, 'baseVolume'),
    quoteVolume: nullable(ticker.quoteVolume, 'quoteVolume'),
  };
  if (row.last === null && row.bid === null && row.ask === null) throw new MalformedItem('ticker has no last, bid or ask price');
  return row;
}

export function normalizeTicker(exchange: string, market: Market, ticker: Ticker, receiveTime: number): Normalized<TickerRow> {
  return normalizeWith('ticker', (t: Ticker) => tickerRow(exchange, market, t, receiveTime), ticker, ticker.info);
}
