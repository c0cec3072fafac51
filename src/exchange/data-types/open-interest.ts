import type { ExchangePool } from '../pool';
import { perSymbolActivity } from '../fetch-loop';
import { normalizeOpenInterest } from '../normalize/open-interest';

export function fetchOpenInterestActivity(pool: ExchangePool) {
  return perSymbolActivity(pool, {
    table: 'open_interest',
    fetch: async (exchange, symbol) => [await exchange.fetchOpenInterest(symbol)],
    normalize: (exchange, symbol, oi, receiveTime) => normalizeOpenInterest(exchange.id, exchange.market(symbol), oi, receiveTime),
  });
}
