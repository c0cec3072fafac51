import { intParam, json, pageSize, SimHttpError, type SimRequest, type SimResponse } from '../http';
import { findInstrument, type Instrument, type SimExchange } from '../instruments';
import { reportedTrade, sentTime } from '../data-faults';
import { decimalString } from '../market';
import { tradesInWindow, tradeWindow } from './trade-window';
import type { ExchangeContext, FaultKind } from './types';

/**
 * What Binance spot (/api/v3) and USD-M futures (/fapi/v1) share: symbol lookup, aggTrades, depth,
 * 24h ticker and error bodies ({code:-1121,msg:'Invalid symbol.'} → BadSymbol in ccxt).
 */
type Family = 'binance' | 'binanceusdm';

export const binanceFail = (status: number, code: number, msg: string): never => {
  throw new SimHttpError(json(status, { code, msg }));
};
export const binanceBadParam = (name: string): never => binanceFail(400, -1100, `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}$'.`);

export function binanceInstrument(family: Family, req: SimRequest, served: Record<SimExchange, Instrument[]>): Instrument {
  const id = req.query.get('symbol');
  if (!id) binanceFail(400, -1102, "Mandatory parameter 'symbol' was not sent, was empty/null, or malformed.");
  const inst = findInstrument(family, id!, undefined, served);
  if (!inst || inst.id !== id) binanceFail(400, -1121, 'Invalid symbol.');
  return inst!;
}

export function binanceListing(inst: Instrument): Record<string, unknown> {
  const tick = decimalString(10 ** -inst.priceDecimals, inst.priceDecimals);
  const step = decimalString(10 ** -inst.amountDecimals, inst.amountDecimals);
  const filters = [
    { filterType: 'PRICE_FILTER', minPrice: tick, maxPrice: '1000000', tickSize: tick },
    { filterType: 'LOT_SIZE', minQty: step, maxQty: '9000', stepSize: step },
  ];
  // a delisted market stays listed while it settles: spot shows BREAK, futures SETTLING (ccxt: active false)
  const status = !inst.delisted ? 'TRADING' : inst.type === 'spot' ? 'BREAK' : 'SETTLING';
  const common = { symbol: inst.id, status, baseAsset: inst.base, quoteAsset: inst.quote, baseAssetPrecision: 8, quotePrecision: 8, filters };
  if (inst.type === 'spot') {
    return { ...common, quoteAssetPrecision: 8, orderTypes: ['LIMIT', 'MARKET'], isSpotTradingAllowed: true, isMarginTradingAllowed: false, permissions: [], permissionSets: [['SPOT']] };
  }
  return {
    ...common, pair: inst.id, contractType: 'PERPETUAL', deliveryDate: 4133404800000, onboardDate: 1569398400000, marginAsset: inst.settle,
    pricePrecision: inst.priceDecimals, quantityPrecision: inst.amountDecimals, underlyingType: 'COIN', settlePlan: 0, triggerProtect: '0.0500',
  };
}

export function exchangeInfo(family: Family, now: number, served: Record<SimExchange, Instrument[]>): SimResponse {
  return json(200, { timezone: 'UTC', serverTime: now, rateLimits: [], exchangeFilters: [], symbols: served[family].map(binanceListing) });
}

/**
 * aggTrades: oldest first. fromId → trades with id >= fromId; startTime/endTime → trades in that window
 * (at most one hour, as Binance enforces); neither → the newest `limit`. Default 500, max 1000.
 */
export function aggTrades(family: Family, req: SimRequest, ctx: ExchangeContext): SimResponse {
  const inst = binanceInstrument(family, req, ctx.instruments);
  const limit = pageSize(intParam(req.query, 'limit', undefined, binanceBadParam), 500, 1000);
  const fromId = intParam(req.query, 'fromId', undefined, binanceBadParam);
  const startTime = intParam(req.query, 'startTime', undefined, binanceBadParam);
  const endTime = intParam(req.query, 'endTime', undefined, binanceBadParam);
  if (startTime !== undefined && endTime !== undefined && endTime - startTime > 3_600_000) {
    binanceFail(400, -1127, 'More than 1 hours between startTime and endTime.');
  }
  const window = tradeWindow(ctx, inst, req.now, ctx.tradeHistory.depth(family));
  let lo: number;
  let hi: number;
  if (fromId !== undefined) {
    lo = Math.max(fromId, window.oldest);
    hi = lo + limit - 1;
  } else if (startTime !== undefined || endTime !== undefined) {
    const start = startTime ?? endTime! - 3_600_000;
    const end = endTime ?? start + 3_600_000;
    lo = Math.max(ctx.market.firstTradeAtOrAfter(inst, start), window.oldest);
    hi = Math.min(ctx.market.firstTradeAtOrAfter(inst, end + 1) - 1, lo + limit - 1);
  } else {
    hi = window.newest;
    lo = hi - limit + 1;
  }
  // data faults (data-faults.ts): a higher id with an earlier time (ccxt #8329); a time in nanoseconds
  const fault = ctx.dataFault(family);
  const rows = tradesInWindow(ctx, inst, window, lo, hi).map((t) => reportedTrade(ctx.market, fault, inst, t)).map((t) => ({
    a: t.id, p: decimalString(t.price, inst.priceDecimals), q: decimalString(t.amount, inst.amountDecimals),
    f: t.id, l: t.id, T: sentTime(ctx.market, fault, inst, t), m: t.side === 'sell', ...(inst.type === 'spot' ? { M: true } : {}),
  }));
  return json(200, rows);
}

/**
 * Futures books take only these limits ("Default 500; Valid limits:[5, 10, 20, 50, 100, 500, 1000]", Binance
 * USD-M docs); anything else is refused with -1130 (ccxt #9076). Spot takes any limit up to 5000 (here 1000).
 */
export const FUTURES_DEPTH_LIMITS = [5, 10, 20, 50, 100, 500, 1000] as const;

export function depth(family: Family, req: SimRequest, ctx: ExchangeContext): SimResponse {
  const inst = binanceInstrument(family, req, ctx.instruments);
  const requested = intParam(req.query, 'limit', undefined, binanceBadParam);
  if (family === 'binanceusdm' && requested !== undefined && !(FUTURES_DEPTH_LIMITS as readonly number[]).includes(requested)) {
    binanceFail(400, -1130, "Data sent for parameter 'limit' is not valid.");
  }
  const limit = pageSize(requested, family === 'binanceusdm' ? 500 : 100, 1000);
  const book = ctx.market.orderBook(inst, req.now, limit);
  ctx.recordSnapshot('orderbook', inst, { ...book });
  const level = ([p, a]: [number, number]): string[] => [decimalString(p, inst.priceDecimals), decimalString(a, inst.amountDecimals)];
  const body = { lastUpdateId: book.timestamp, bids: book.bids.map(level), asks: book.asks.map(level) };
  // futures books carry the event (E) and transaction (T) time; spot books carry no time at all
  return json(200, inst.type === 'swap' ? { ...body, E: book.timestamp, T: book.timestamp } : body);
}

export function ticker24hr(family: Family, req: SimRequest, ctx: ExchangeContext): SimResponse {
  const inst = binanceInstrument(family, req, ctx.instruments);
  const t = ctx.market.ticker(inst, req.now);
  ctx.recordSnapshot('ticker', inst, { ...t });
  const p = (v: number): string => decimalString(v, inst.priceDecimals);
  const a = (v: number): string => decimalString(v, inst.amountDecimals);
  const last = ctx.market.lastTradeAt(inst, req.now);
  const body: Record<string, unknown> = {
    symbol: inst.id, priceChange: p(t.last - t.open), priceChangePercent: decimalString(((t.last - t.open) / t.open) * 100, 3),
    weightedAvgPrice: p((t.high + t.low) / 2), lastPrice: p(t.last), lastQty: a(t.bidSize), openPrice: p(t.open), highPrice: p(t.high),
    lowPrice: p(t.low), volume: a(t.baseVolume), quoteVolume: decimalString(t.quoteVolume, 2), openTime: t.timestamp - 86_400_000,
    closeTime: t.timestamp, firstId: Math.max(0, last - 100_000), lastId: last, count: 100_000,
  };
  if (inst.type === 'spot') {
    Object.assign(body, { prevClosePrice: p(t.open), bidPrice: p(t.bid), bidQty: a(t.bidSize), askPrice: p(t.ask), askQty: a(t.askSize) });
  }
  return json(200, body);
}

export function binanceFaultResponse(kind: FaultKind, retryAfterSec: number, now: number): SimResponse {
  const retry = { 'Retry-After': String(retryAfterSec) };
  switch (kind) {
    case 'rate_limit':
      return json(429, { code: -1003, msg: 'Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. Please use the websocket for live updates to avoid polling the API.' }, retry);
    case 'ban':
      return json(418, { code: -1003, msg: `Way too many requests; IP(127.0.0.1) banned until ${now + retryAfterSec * 1000}. Please use the websocket for live updates to avoid bans.` }, retry);
    // Binance's 5xx come from its CDN edge as HTML, not as API JSON
    case 'server_error':
      return json(502, '<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>');
    case 'service_unavailable':
    case 'maintenance':
      return json(503, '<html><head><title>503 Service Unavailable</title></head><body>Service Unavailable</body></html>', retry);
  }
}

export const binanceNotFound = (): SimResponse => json(404, '<html><body><h1>404 Not Found</h1></body></html>');
