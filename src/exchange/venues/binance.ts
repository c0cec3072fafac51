import { asList, type VenueQuirks } from './quirks';

/** Aggregate trades are paged by id: aggTrades `fromId`, up to 1000 per request (binance spot and futures API docs). */
const fromIdPaging = { kind: 'from-id', pageLimit: () => 1000 } as const;

/**
 * Aggregate trade ids (`a`) count up by one per aggregate trade of the symbol, so a jump is a gap. Their time
 * `T` does not always: a higher id can carry an earlier time (ccxt #8329), which is why these exchanges are
 * cursored by id (paging/trades.ts).
 */
const idSequence = 'id' as const;

/**
 * Futures order book `limit`: "Default 500; Valid limits:[5, 10, 20, 50, 100, 500, 1000]" (Binance USD-M and
 * COIN-M futures API docs, Order Book); any other value is refused (ccxt #9076).
 */
const futuresDepths = { values: [5, 10, 20, 50, 100, 500, 1000] } as const;

/**
 * futures/data/globalLongShortAccountRatio and topLongShortPositionRatio `period`:
 * "5m","15m","30m","1h","2h","4h","6h","12h","1d" (Binance USD-M and COIN-M futures API docs, Long/Short Ratio).
 */
const futuresRatioPeriods = ['5m', '15m', '30m', '1h', '2h', '4h', '6h', '12h', '1d'] as const;

/** Spot order book `limit`: "Default 100; max 5000" (binance-spot-api-docs rest-api.md, Order book; ccxt's binance.js cites it). */
export const binance: VenueQuirks = { tradePaging: fromIdPaging, tradeSequence: idSequence, orderBookDepths: () => ({ min: 1, max: 5000 }) };

export const binancecoinm: VenueQuirks = {
  tradePaging: fromIdPaging,
  tradeSequence: idSequence,
  orderBookDepths: () => futuresDepths,
  ratioPeriods: futuresRatioPeriods,
};

export const binanceusdm: VenueQuirks = {
  tradePaging: fromIdPaging,
  tradeSequence: idSequence,
  orderBookDepths: () => futuresDepths,
  ratioPeriods: futuresRatioPeriods,
  // futures/data/topLongShortPositionRatio (USD-M "Top Trader Long/Short Ratio (Positions)")
  topPositionRatio: {
    method: 'fapiDataGetTopLongShortPositionRatio',
    request: (market, period, since) => ({ symbol: market.id, period, ...(since !== undefined && { startTime: since }) }),
    items: asList,
  },
};
