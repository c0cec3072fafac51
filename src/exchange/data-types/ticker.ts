import type { Ticker } from 'ccxt';
import type { DataTypeFetch } from '../fetch-loop';
import { normalizeTicker } from '../normalize/ticker';

export const TICKER: DataTypeFetch<'ticker', Ticker> = {
  table: 'ticker',
  ccxtMethod: 'fetchTicker',
  fetchPage: async (exchange, symbol) => ({ items: [await exchange.fetchTicker(symbol)], full: false }),
  normalize: (exchange, symbol, ticker, receiveTime) => normalizeTicker(exchange.id, exchange.market(symbol), ticker, receiveTime),
};
