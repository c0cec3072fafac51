import type { ExchangePool } from '../pool';
import { DEFAULT_RATIO_PERIOD } from '../long-short-period';
import { perSymbolActivity } from '../fetch-loop';
import { normalizeLongShortRatio } from '../normalize/long-short-ratio';

/** All-account long/short ratio through ccxt's unified fetchLongShortRatioHistory, from the cursor on. */
export function fetchLsrAllAccountActivity(pool: ExchangePool) {
  return perSymbolActivity(pool, {
    table: 'lsr_all_account',
    fetch: (exchange, symbol, cursor, input) => exchange.fetchLongShortRatioHistory(symbol, input.options?.period ?? DEFAULT_RATIO_PERIOD, cursor?.lastTime),
    normalize: (exchange, symbol, ratio, receiveTime, input) =>
      normalizeLongShortRatio(exchange.id, exchange.market(symbol), ratio, input.options?.period ?? DEFAULT_RATIO_PERIOD, receiveTime),
  });
}
