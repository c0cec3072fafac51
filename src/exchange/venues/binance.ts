import { asList, type VenueQuirks } from './quirks';

/** Aggregate trades are paged by id: aggTrades `fromId`, up to 1000 per request (binance spot and futures API docs). */
const fromIdPaging = { kind: 'from-id', pageLimit: () => 1000 } as const;

export const binance: VenueQuirks = { tradePaging: fromIdPaging };

export const binancecoinm: VenueQuirks = { tradePaging: fromIdPaging };

export const binanceusdm: VenueQuirks = {
  tradePaging: fromIdPaging,
  // futures/data/topLongShortPositionRatio (USD-M "Top Trader Long/Short Ratio (Positions)")
  topPositionRatio: {
    method: 'fapiDataGetTopLongShortPositionRatio',
    request: (market, period, since) => ({ symbol: market.id, period, ...(since !== undefined && { startTime: since }) }),
    items: asList,
  },
};
