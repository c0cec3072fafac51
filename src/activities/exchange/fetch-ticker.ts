import type { ExchangePool } from './exchanges';
import { perSymbolActivity } from './per-symbol-fetch';
import { normalizeTicker } from './normalize/ticker';

export function fetchTickerActivity(pool: ExchangePool) {
  return perSymbolActivity(pool, {
    table: 'ticker',
    fetch: async (exchange, symbol) => [await exchange.fetchTicker(symbol)],
    normalize: (exchange, symbol, ticker, receiveTime) => normalizeTicker(exchange.id, exchange.market(symbol), ticker, receiveTime),
  });
}
