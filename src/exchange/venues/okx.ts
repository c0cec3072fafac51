import { asList, type VenueQuirks } from './quirks';

/** okx v5 public API (https://www.okx.com/docs-v5/en/#public-data-rest-api). */
export const okx: VenueQuirks = {
  // without a cursor: the newest trades (market/trades); with one: history-trades `before=<id>`, 100 per page
  tradePaging: { kind: 'okx-before', pageLimit: () => 100 },
  topPositionRatio: {
    method: 'publicGetRubikStatContractsLongShortPositionRatioContractTopTrader',
    request: (market, period, since) => ({ instId: market.id, period, ...(since !== undefined && { begin: since }) }),
    // rubik answers [[ts, ratio], ...]; okx's fetchLongShortRatioHistory maps them the same way
    items: (response) =>
      asList((response as { data?: unknown }).data).map((entry) => (Array.isArray(entry) ? { timestamp: entry[0], longShortRatio: entry[1] } : entry)),
  },
};
