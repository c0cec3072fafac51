import type { VenueQuirks } from './quirks';

/**
 * bybit v5 (https://bybit-exchange.github.io/docs/v5/intro).
 * - market/recent-trade takes no cursor: spot answers at most 60 trades, derivatives 1000. Its `execId` is not
 *   documented as counting up by one per trade of a symbol (derivatives answer UUIDs), so no trade sequence is
 *   declared: gaps are found by time (a newest page that does not reach back to the cursor).
 * - market/orderbook `limit`: spot [1, 200], linear and inverse [1, 500], option [1, 25] (Get Orderbook).
 * - market/account-ratio `period`: 5min, 15min, 30min, 1h, 4h, 1d (Get Long Short Ratio), here in ccxt's spelling.
 */
export const bybit: VenueQuirks = {
  tradePaging: { kind: 'latest-only', pageLimit: (market) => (market.spot ? 60 : 1000) },
  orderBookDepths: (market) => (market.spot ? { min: 1, max: 200 } : market.option ? { min: 1, max: 25 } : { min: 1, max: 500 }),
  ratioPeriods: ['5m', '15m', '30m', '1h', '4h', '1d'],
};
