import type { ExchangePool } from './exchanges';
import { fetchFundingRateActivity } from './fetch-funding-rate';
import { fetchLiquidationsActivity } from './fetch-liquidations';
import { fetchLsrAllAccountActivity } from './fetch-lsr-all-account';
import { fetchLsrTopPositionActivity } from './fetch-lsr-top-position';
import { fetchOpenInterestActivity } from './fetch-open-interest';
import { fetchOrderBookActivity } from './fetch-orderbook';
import { fetchTickerActivity } from './fetch-ticker';
import { fetchTradesActivity } from './fetch-trades';
import { fetchVolatilityIndexActivity } from './fetch-volatility-index';

export type { FetchInput, FetchOptions, FetchResult } from './fetch-result';

/** One fetch activity per data type (names: src/workflows/fetch-activity.ts maps data type → activity). */
export function exchangeActivities(pool: ExchangePool) {
  return {
    fetchTrades: fetchTradesActivity(pool),
    fetchOrderBook: fetchOrderBookActivity(pool),
    fetchFundingRate: fetchFundingRateActivity(pool),
    fetchOpenInterest: fetchOpenInterestActivity(pool),
    fetchLiquidations: fetchLiquidationsActivity(pool),
    fetchLsrTopPosition: fetchLsrTopPositionActivity(pool),
    fetchLsrAllAccount: fetchLsrAllAccountActivity(pool),
    fetchVolatilityIndex: fetchVolatilityIndexActivity(pool),
    fetchTicker: fetchTickerActivity(pool),
  };
}
