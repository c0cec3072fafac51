import type { ExchangePool } from '../exchange/pool';
import { fetchFundingRateActivity } from '../exchange/data-types/funding-rate';
import { fetchLiquidationsActivity } from '../exchange/data-types/liquidations';
import { fetchLsrAllAccountActivity } from '../exchange/data-types/lsr-all-account';
import { fetchLsrTopPositionActivity } from '../exchange/data-types/lsr-top-position';
import { fetchOpenInterestActivity } from '../exchange/data-types/open-interest';
import { fetchOrderBookActivity } from '../exchange/data-types/orderbook';
import { fetchTickerActivity } from '../exchange/data-types/ticker';
import { fetchTradesActivity } from '../exchange/data-types/trades';
import { fetchVolatilityIndexActivity } from '../exchange/data-types/volatility-index';

export type { FetchInput, FetchOptions, FetchResult } from '../exchange/fetch-result';

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
