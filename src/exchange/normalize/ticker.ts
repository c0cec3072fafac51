import type { MarketInterface as Market, Ticker } from 'ccxt';
import type { TickerRow } from '../../domain/rows';
import { base, normalizeWith, nullable, num, snapshotTime, type Normalized } from './common';

export function tickerRow(exchange: string, market: Market, ticker: Ticker, receiveTime: number): TickerRow {
  return {
    ...base(exchange, market, snapshotTime(ticker.timestamp, undefined, receiveTime), receiveTime),
    last: num(ticker.last, 'last'),
    bid: nullable(ticker.bid, 'bid'),
    ask: nullable(ticker.ask, 'ask'),
    baseVolume: nullable(ticker.baseVolume, 'baseVolume'),
    quoteVolume: nullable(ticker.quoteVolume, 'quoteVolume'),
  };
}

export function normalizeTicker(exchange: string, market: Market, ticker: Ticker, receiveTime: number): Normalized<TickerRow> {
  return normalizeWith((t: Ticker) => tickerRow(exchange, market, t, receiveTime), ticker, ticker.info);
}
