import { intParam, json, pageSize, type SimRequest, type SimResponse } from '../http';
import { decimalString, type RatioKind } from '../market';
import { aggTrades, binanceBadParam, binanceFail, binanceFaultResponse, binanceInstrument, binanceNotFound, depth, exchangeInfo, ticker24hr } from './binance-common';
import type { ExchangeContext, SimExchangeApi } from './types';

/** Binance USD-M futures: /fapi/v1 (urls.api.fapiPublic) and /futures/data (urls.api.fapiData). */
function premiumIndex(req: SimRequest, ctx: ExchangeContext): SimResponse {
  const inst = binanceInstrument('binanceusdm', req, ctx.instruments);
  const f = ctx.market.funding(inst, req.now);
  ctx.recordSnapshot('funding_rate', inst, { ...f });
  const p = (v: number): string => decimalString(v, inst.priceDecimals + 7);
  return json(200, {
    symbol: inst.id, markPrice: p(f.markPrice), indexPrice: p(f.indexPrice), estimatedSettlePrice: p(f.indexPrice),
    lastFundingRate: decimalString(f.fundingRate, 8), interestRate: '0.00010000', nextFundingTime: f.fundingTime, time: f.timestamp,
  });
}

function openInterest(req: SimRequest, ctx: ExchangeContext): SimResponse {
  const inst = binanceInstrument('binanceusdm', req, ctx.instruments);
  const oi = ctx.market.openInterest(inst, req.now);
  ctx.recordSnapshot('open_interest', inst, { ...oi });
  return json(200, { symbol: inst.id, openInterest: decimalString(oi.contracts, inst.amountDecimals), time: oi.timestamp });
}

const PERIODS: Record<string, number> = { '5m': 300_000, '15m': 900_000, '30m': 1_800_000, '1h': 3_600_000, '2h': 7_200_000, '4h': 14_400_000, '6h': 21_600_000, '12h': 43_200_000, '1d': 86_400_000 };

/** /futures/data/*LongShort*: oldest first; default 30 rows, max 500; only the last 30 days exist. */
function ratios(kind: RatioKind) {
  return (req: SimRequest, ctx: ExchangeContext): SimResponse => {
    const inst = binanceInstrument('binanceusdm', req, ctx.instruments);
    const period = req.query.get('period') ?? '';
    const periodMs = PERIODS[period] ?? binanceFail(400, -1130, `Invalid data sent for a parameter: period=${period}`);
    const limit = pageSize(intParam(req.query, 'limit', undefined, binanceBadParam), 30, 500);
    const end = Math.min(intParam(req.query, 'endTime', req.now, binanceBadParam)!, req.now);
    const start = intParam(req.query, 'startTime', undefined, binanceBadParam);
    const from = Math.max(start ?? Math.floor(end / periodMs) * periodMs - periodMs * (limit - 1), req.now - 30 * 86_400_000);
    const rows = ctx.market.ratiosBetween(inst, kind, periodMs, from, end).slice(0, limit);
    return json(200, rows.map((r) => ({
      symbol: inst.id, longShortRatio: decimalString(r.longShortRatio, 4), longAccount: decimalString(r.longAccount, 4),
      shortAccount: decimalString(r.shortAccount, 4), timestamp: r.timestamp,
    })));
  };
}

type Route = (req: SimRequest, ctx: ExchangeContext) => SimResponse;
const ROUTES: Record<string, Route> = {
  '/fapi/v1/ping': () => json(200, {}),
  '/fapi/v1/time': (req) => json(200, { serverTime: req.now }),
  '/fapi/v1/exchangeInfo': (req, ctx) => exchangeInfo('binanceusdm', req.now, ctx.instruments),
  '/fapi/v1/aggTrades': (req, ctx) => aggTrades('binanceusdm', req, ctx),
  '/fapi/v1/depth': (req, ctx) => depth('binanceusdm', req, ctx),
  '/fapi/v1/ticker/24hr': (req, ctx) => ticker24hr('binanceusdm', req, ctx),
  '/fapi/v1/premiumIndex': premiumIndex,
  '/fapi/v1/openInterest': openInterest,
  '/futures/data/globalLongShortAccountRatio': ratios('all_account'),
  '/futures/data/topLongShortPositionRatio': ratios('top_position'),
};

export const binanceusdm: SimExchangeApi = {
  id: 'binanceusdm',
  handle(req, ctx) {
    const route = req.method === 'GET' ? ROUTES[req.path] : undefined;
    return route ? route(req, ctx) : binanceNotFound();
  },
  faultResponse: binanceFaultResponse,
};
