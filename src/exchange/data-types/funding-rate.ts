import type { FundingRate } from 'ccxt';
import type { DataTypeFetch } from '../fetch-loop';
import { normalizeFundingRate } from '../normalize/funding-rate';

export const FUNDING_RATE: DataTypeFetch<'funding_rate', FundingRate> = {
  table: 'funding_rate',
  ccxtMethod: 'fetchFundingRate',
  fetchPage: async (exchange, symbol) => ({ items: [await exchange.fetchFundingRate(symbol)], full: false }),
  normalize: (exchange, symbol, rate, receiveTime) => normalizeFundingRate(exchange.id, exchange.market(symbol), rate, receiveTime),
};
