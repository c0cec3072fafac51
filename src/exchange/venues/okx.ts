import { asList, type VenueQuirks } from './quirks';

/** okx v5 public API (https://www.okx.com/docs-v5/en/#public-data-rest-api). */
export const okx: VenueQuirks = {
  // without a cursor: the newest trades (market/trades); with one: history-trades `before=<id>`, 100 per page
  tradePaging: { kind: 'okx-before', pageLimit: () => 100 },
  // trade ids count up by one per trade of the instrument
  tradeSequence: 'id',
  // market/books `sz`: "Order book depth per side. Maximum 400" (ccxt switches to books-full above 400)
  orderBookDepths: () => ({ min: 1, max: 400 }),
  // rubik/stat/contracts/long-short-account-ratio-contract and …-top-trader `period`: 5m/15m/30m/1H/2H/4H and
  // 6H/12H/1D/2D/3D/5D/1W/1M/3M (Get contract long/short ratio); here those ccxt's okx timeframes can name
  ratioPeriods: ['5m', '15m', '30m', '1h', '2h', '4h', '6h', '12h', '1d', '1w', '1M', '3M'],
  topPositionRatio: {
    method: 'publicGetRubikStatContractsLongShortPositionRatioContractTopTrader',
    request: (market, period, since) => ({ instId: market.id, period, ...(since !== undefined && { begin: since }) }),
    // rubik answers [[ts, ratio], ...]; okx's fetchLongShortRatioHistory maps them the same way
    items: (response) =>
      asList((response as { data?: unknown }).data).map((entry) => (Array.isArray(entry) ? { timestamp: entry[0], longShortRatio: entry[1] } : entry)),
  },
};
