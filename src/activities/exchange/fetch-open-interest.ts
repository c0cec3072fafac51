import type { ExchangePool } from './exchanges';
import { perSymbolActivity } from './per-symbol-fetch';
import { normalizeOpenInterest } from './normalize/open-interest';

export function fetchOpenInterestActivity(pool: ExchangePool) {
  return perSymbolActivity(pool, {
    table: 'open_interest',
    fetch: async (exchange, symbol) => [await exchange.fetchOpenInterest(symbol)],
    normalize: (exchange, symbol, oi, receiveTime) => normalizeOpenInterest(exchange.id, exchange.market(symbol), oi, receiveTime),
  });
}
