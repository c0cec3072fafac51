import type { ExchangePool } from '../pool';
import { perSymbolActivity } from '../fetch-loop';
import { normalizeFundingRate } from '../normalize/funding-rate';

export function fetchFundingRateActivity(pool: ExchangePool) {
  return perSymbolActivity(pool, {
    table: 'funding_rate',
    fetch: async (exchange, symbol) => [await exchange.fetchFundingRate(symbol)],
    normalize: (exchange, symbol, rate, receiveTime) => normalizeFundingRate(exchange.id, exchange.market(symbol), rate, receiveTime),
  });
}
