import { FETCH_OPTION_DEFAULTS } from '../../domain/fetch';
import type { Exchange } from 'ccxt';
import type { DataTypeFetch } from '../fetch-loop';
import { normalizeVolatility, type VolatilityHistory } from '../normalize/volatility-index';

/**
 * The resolution (seconds) stored with each point: ccxt's fetchVolatilityHistory answers hourly points
 * (deribit get_historical_volatility, bybit historical-volatility period 1h by default).
 */
export const DEFAULT_VOLATILITY_RESOLUTION = FETCH_OPTION_DEFAULTS.resolution;

/** A volatility index is per currency: a collector may name BTC or a market symbol whose base is BTC. */
export function volatilityCurrency(exchange: Exchange, symbol: string): string {
  return exchange.markets?.[symbol]?.base ?? symbol;
}

export const VOLATILITY_INDEX: DataTypeFetch<'volatility_index', VolatilityHistory> = {
  table: 'volatility_index',
  ccxtMethod: 'fetchVolatilityHistory',
  fetchPage: async (exchange, symbol) => ({ items: (await exchange.fetchVolatilityHistory(volatilityCurrency(exchange, symbol))) as VolatilityHistory[], full: false }),
  normalize: (exchange, symbol, item, receiveTime, input) =>
    normalizeVolatility(exchange.id, volatilityCurrency(exchange, symbol), item, String(input.options?.resolution ?? DEFAULT_VOLATILITY_RESOLUTION), receiveTime),
};
