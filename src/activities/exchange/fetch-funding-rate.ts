import type { ExchangePool } from './exchanges';
import { perSymbolActivity } from './per-symbol-fetch';
import { normalizeFundingRate } from './normalize/funding-rate';

export function fetchFundingRateActivity(pool: ExchangePool) {
  return perSymbolActivity(pool, {
    table: 'funding_rate',
    fetch: async (exchange, symbol) => [await exchange.fetchFundingRate(symbol)],
    normalize: (exchange, symbol, rate, receiveTime) => normalizeFundingRate(exchange.id, exchange.market(symbol), rate, receiveTime),
  });
}
