import type { OpenInterest } from 'ccxt';
import type { DataTypeFetch } from '../fetch-loop';
import { normalizeOpenInterest } from '../normalize/open-interest';

export const OPEN_INTEREST: DataTypeFetch<'open_interest', OpenInterest> = {
  table: 'open_interest',
  ccxtMethod: 'fetchOpenInterest',
  fetchPage: async (exchange, symbol) => ({ items: [await exchange.fetchOpenInterest(symbol)], full: false }),
  normalize: (exchange, symbol, oi, receiveTime) => normalizeOpenInterest(exchange.id, exchange.market(symbol), oi, receiveTime),
};
