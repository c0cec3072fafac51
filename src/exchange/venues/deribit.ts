import type { VenueQuirks } from './quirks';

/**
 * deribit public/get_last_settlements_by_instrument takes ccxt's `since` as `search_start_timestamp`, the LATEST
 * time to answer from (newest first), and ccxt then keeps only items at/after `since`: any `since` other than an
 * exact event time answers nothing. Liquidations are therefore paged newest-back with the `continuation` token
 * (pinned in test/simulator/deribit.test.ts). Trades page forward with ccxt's `since` (start_timestamp).
 */
export const deribit: VenueQuirks = {
  liquidationPaging: 'newest-back',
};
