import type { VenueQuirks } from './quirks';

/** bybit v5 market/recent-trade takes no cursor: spot answers at most 60 trades, derivatives 1000. */
export const bybit: VenueQuirks = {
  tradePaging: { kind: 'latest-only', pageLimit: (market) => (market.spot ? 60 : 1000) },
};
