import type { VolatilityIndexRow } from '../../domain/rows';
import { normalizeWith, num, type Normalized } from './common';

/** One item of ccxt's fetchVolatilityHistory (typed as a plain Dict by ccxt). */
export interface VolatilityHistory {
  info?: unknown;
  timestamp?: unknown;
  volatility?: unknown;
}

/** A volatility index is per currency, not per market: symbol and native id are the currency code (BTC). */
export function volatilityIndexRow(exchange: string, currency: string, item: VolatilityHistory, resolution: string, receiveTime: number): VolatilityIndexRow {
  return {
    exchange,
    marketType: 'option',
    symbol: currency,
    nativeSymbol: currency,
    eventTime: num(item.timestamp, 'timestamp'),
    receiveTime,
    value: num(item.volatility, 'volatility'),
    resolution,
  };
}

export function normalizeVolatility(exchange: string, currency: string, item: VolatilityHistory, resolution: string, receiveTime: number): Normalized<VolatilityIndexRow> {
  return normalizeWith('volatility_index', (v: VolatilityHistory) => volatilityIndexRow(exchange, currency, v, resolution, receiveTime), item, item.info);
}
