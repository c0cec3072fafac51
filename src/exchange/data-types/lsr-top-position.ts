import type { ExchangePool } from '../pool';
import { DEFAULT_RATIO_PERIOD } from '../long-short-period';
import { perSymbolActivity } from '../fetch-loop';
import { normalizeLongShortRatio } from '../normalize/long-short-ratio';
import { fetchTopPositionRatios } from '../top-position';

/** Top traders' long/short position ratio, through the exchange's implicit ccxt API (no unified method exists). */
export function fetchLsrTopPositionActivity(pool: ExchangePool) {
  return perSymbolActivity(pool, {
    table: 'lsr_top_position',
    fetch: (exchange, symbol, cursor, input) => fetchTopPositionRatios(exchange, symbol, input.options?.period ?? DEFAULT_RATIO_PERIOD, cursor?.lastTime),
    normalize: (exchange, symbol, ratio, receiveTime, input) =>
      normalizeLongShortRatio(exchange.id, exchange.market(symbol), ratio, input.options?.period ?? DEFAULT_RATIO_PERIOD, receiveTime),
  });
}
