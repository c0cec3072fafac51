import type { ExchangePool } from '../pool';
import { perSymbolActivity } from '../fetch-loop';
import { normalizeTicker } from '../normalize/ticker';

export function fetchTickerActivity(pool: ExchangePool) {
  return perSymbolActivity(pool, {
    table: 'ticker',
    fetch: async (exchange, symbol) => [await exchange.fetchTicker(symbol)],
    normalize: (exchange, symbol, ticker, receiveTime) => normalizeTicker(exchange.id, exchange.market(symbol), ticker, receiveTime),
  });
}
