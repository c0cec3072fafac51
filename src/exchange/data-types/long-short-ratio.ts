import { FETCH_OPTION_DEFAULTS } from '../../domain/fetch';
import type { LongShortRatio } from 'ccxt';
import type { DataTypeFetch } from '../fetch-loop';
import { normalizeLongShortRatio } from '../normalize/long-short-ratio';
import { fetchTopPositionRatios } from '../top-position';

/** The bucket period of long/short ratios when the collector does not name one (ccxt timeframe spelling). */
export const DEFAULT_RATIO_PERIOD = FETCH_OPTION_DEFAULTS.period;

/** All-account long/short ratio through ccxt's unified fetchLongShortRatioHistory, from the cursor on. */
export const LSR_ALL_ACCOUNT: DataTypeFetch<'lsr_all_account', LongShortRatio> = {
  table: 'lsr_all_account',
  ccxtMethod: 'fetchLongShortRatioHistory',
  fetchPage: async (exchange, symbol, cursor, input) => ({
    items: await exchange.fetchLongShortRatioHistory(symbol, input.options?.period ?? DEFAULT_RATIO_PERIOD, cursor?.lastTime),
    full: false,
  }),
  normalize: (exchange, symbol, ratio, receiveTime, input) =>
    normalizeLongShortRatio(exchange.id, exchange.market(symbol), ratio, input.options?.period ?? DEFAULT_RATIO_PERIOD, receiveTime),
};

/**
 * Top traders' long/short position ratio, through the exchange's implicit ccxt API (no unified method exists;
 * capabilities.ts asks the venue file instead of `has`).
 */
export const LSR_TOP_POSITION: DataTypeFetch<'lsr_top_position', LongShortRatio> = {
  ...(LSR_ALL_ACCOUNT as unknown as DataTypeFetch<'lsr_top_position', LongShortRatio>),
  table: 'lsr_top_position',
  fetchPage: async (exchange, symbol, cursor, input) => ({
    items: await fetchTopPositionRatios(exchange, symbol, input.options?.period ?? DEFAULT_RATIO_PERIOD, cursor?.lastTime),
    full: false,
  }),
};
