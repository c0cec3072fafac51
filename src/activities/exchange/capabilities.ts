import type { Exchange } from 'ccxt';
import type { DataType } from '../../domain/data-types';

/** The ccxt unified method behind each data type; an exchange serves the type when ccxt says it `has` it. */
export const CCXT_METHOD: Record<DataType, string> = {
  trades: 'fetchTrades',
  orderbook: 'fetchOrderBook',
  funding_rate: 'fetchFundingRate',
  open_interest: 'fetchOpenInterest',
  liquidations: 'fetchLiquidations',
  lsr_top_position: 'fetchLongShortRatioHistory',
  lsr_all_account: 'fetchLongShortRatioHistory',
  volatility_index: 'fetchVolatilityHistory',
  ticker: 'fetchTicker',
};

export function supportsType(exchange: Exchange, type: DataType): boolean {
  return Boolean(exchange.has[CCXT_METHOD[type]]);
}

export function supportedTypes(exchange: Exchange): DataType[] {
  return (Object.keys(CCXT_METHOD) as DataType[]).filter((t) => supportsType(exchange, t));
}
