import type { VenueQuirks } from './quirks';

/**
 * deribit API v2 (https://docs.deribit.com).
 * - public/get_last_settlements_by_instrument takes ccxt's `since` as `search_start_timestamp`, the LATEST time to
 *   answer from (newest first), and ccxt then keeps only items at/after `since`: any `since` other than an exact
 *   event time answers nothing. Liquidations are therefore paged newest-back with the `continuation` token
 *   (pinned in test/simulator/deribit.test.ts). Trades page forward with ccxt's `since` (start_timestamp).
 * - A trade's `trade_id` is "unique (per currency)": trades of every instrument of the currency share one id
 *   space, so an instrument's ids jump between consecutive trades. `trade_seq` is "the sequence number of the
 *   trade within instrument": gaps are detected on it (ccxt keeps it in trade.info).
 * - public/get_order_book `depth`: 1, 5, 10, 20, 50, 100, 1000 or 10000 (ccxt #9076); other values are refused.
 * - A trade's `amount` is "in USD units" for inverse perpetuals and futures (multiples of the 10 USD contract),
 *   in the base currency for linear instruments and options (public/get_last_trades_by_instrument; ccxt's
 *   parseTrade keeps it as is).
 */
export const deribit: VenueQuirks = {
  liquidationPaging: 'newest-back',
  tradeSequence: { name: 'trade_seq', read: (trade) => (trade.info as Record<string, unknown> | undefined)?.trade_seq },
  orderBookDepths: () => ({ values: [1, 5, 10, 20, 50, 100, 1000, 10000] }),
  amountUnit: (market) => (market.inverse ? 'quote' : 'base'),
};
