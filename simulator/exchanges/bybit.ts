import { intParam, json, pageSize, SimHttpError, type SimRequest, type SimResponse } from '../http';
import { findInstrument, type Instrument } from '../instruments';
import { decimalString, type RatioKind } from '../market';
import { newestTrades } from './trade-window';
import type { ExchangeContext, FaultKind, SimExchangeApi } from './types';

/**
 * Bybit v5 (/v5/market/*) as ccxt's bybit.js calls it. Envelope {retCode:0, retMsg:'OK', result, time};
 * the same symbol (BTCUSDT) exists in category=spot and category=linear, so category picks the instrument.
 */
const ok = (now: number, result: unknown): SimResponse => json(200, { retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: now });
const fail = (now: number, retCode: number, retMsg: string): never => {
  throw new SimHttpError(json(200, { retCode, retMsg, result: {}, retExtInfo: {}, time: now }));
};

function category(req: SimRequest): 'spot' | 'swap' {
  const value = req.query.get('category');
  if (value === 'spot') return 'spot';
  if (value === 'linear') return 'swap';
  return fail(req.now, 10001, `params error: category ${value ?? ''} is invalid; simulated categories are spot and linear`);
}

function instrument(req: SimRequest, ctx: ExchangeContext, only?: 'swap'): Instrument {
  const type = category(req);
  if (only && type !== only) fail(req.now, 10001, 'params error: category only support linear or inverse');
  const id = req.query.get('symbol');
  if (!id) fail(req.now, 10001, 'params error: symbol is required');
  const inst = findInstrument('bybit', id!, type, ctx.instruments);
  if (!inst || inst.id !== id) fail(req.now, 10001, 'Not supported symbols');
  return inst!;
}

const badParam = (req: SimRequest) => (name: string): never => fail(req.now, 10001, `params error: ${name} invalid`);

function listing(inst: Instrument): Record<string, unknown> {
  const tick = decimalString(10 ** -inst.priceDecimals, inst.priceDecimals);
  const step = decimalString(10 ** -inst.amountDecimals, inst.amountDecimals);
  const common = { symbol: inst.id, baseCoin: inst.base, quoteCoin: inst.quote, status: inst.delisted ? 'Closed' : 'Trading', priceFilter: { tickSize: tick, minPrice: tick, maxPrice: '1999999' } };
  if (inst.type === 'spot') {
    return { ...common, innovation: '0', marginTrading: 'none', lotSizeFilter: { basePrecision: step, quotePrecision: '0.00000001', minOrderQty: step, maxOrderQty: '100', minOrderAmt: '1', maxOrderAmt: '2000000' } };
  }
  return {
    ...common, contractType: 'LinearPerpetual', settleCoin: inst.settle, launchTime: '1585526400000', deliveryTime: '0', deliveryFeeRate: '',
    priceScale: String(inst.priceDecimals), leverageFilter: { minLeverage: '1', maxLeverage: '100.00', leverageStep: '0.01' },
    lotSizeFilter: { maxOrderQty: '1190', minOrderQty: step, qtyStep: step, postOnlyMaxOrderQty: '1190', maxMktOrderQty: '500' },
    unifiedMarginTrade: true, fundingInterval: 480, copyTrading: 'both', upperFundingRate: '0.00375', lowerFundingRate: '-0.00375',
  };
}

function instrumentsInfo(req: SimRequest, ctx: ExchangeContext): SimResponse {
  const type = category(req);
  return ok(req.now, { category: req.query.get('category'), list: ctx.instruments.bybit.filter((i) => i.type === type).map(listing), nextPageCursor: '' });
}

/** /v5/market/recent-trade: the newest `limit` trades, newest first (spot max 60, linear max 1000); no cursor. */
function recentTrades(req: SimRequest, ctx: ExchangeContext): SimResponse {
  const inst = instrument(req, ctx);
  const limit = pageSize(intParam(req.query, 'limit', undefined, badParam(req)), inst.type === 'spot' ? 60 : 500, inst.type === 'spot' ? 60 : 1000);
  const list = newestTrades(ctx, inst, req.now, limit).reverse().map((t) => ({
    execId: String(t.id), symbol: inst.id, price: decimalString(t.price, inst.priceDecimals), size: decimalString(t.amount, inst.amountDecimals),
    side: t.side === 'buy' ? 'Buy' : 'Sell', time: String(t.timestamp), isBlockTrade: false, isRPITrade: false,
  }));
  return ok(req.now, { category: req.query.get('category'), list });
}

function orderbook(req: SimRequest, ctx: ExchangeContext): SimResponse {
  const inst = instrument(req, ctx);
  const depth = pageSize(intParam(req.query, 'limit', undefined, badParam(req)), inst.type === 'spot' ? 1 : 25, inst.type === 'spot' ? 200 : 500);
  const book = ctx.market.orderBook(inst, req.now, depth);
  ctx.recordSnapshot('orderbook', inst, { ...book });
  const level = ([p, a]: [number, number]): string[] => [decimalString(p, inst.priceDecimals), decimalString(a, inst.amountDecimals)];
  return ok(req.now, { s: inst.id, b: book.bids.map(level), a: book.asks.map(level), ts: book.timestamp, u: book.timestamp, seq: book.timestamp, cts: book.timestamp });
}

/** /v5/market/tickers: ccxt reads tickers and, for linear, the funding rate (fetchFundingRate is emulated on it). */
function tickers(req: SimRequest, ctx: ExchangeContext): SimResponse {
  const inst = instrument(req, ctx);
  const t = ctx.market.ticker(inst, req.now);
  ctx.recordSnapshot('ticker', inst, { ...t });
  const p = (v: number): string => decimalString(v, inst.priceDecimals);
  const a = (v: number): string => decimalString(v, inst.amountDecimals);
  const row: Record<string, string> = {
    symbol: inst.id, lastPrice: p(t.last), bid1Price: p(t.bid), bid1Size: a(t.bidSize), ask1Price: p(t.ask), ask1Size: a(t.askSize),
    prevPrice24h: p(t.open), price24hPcnt: decimalString((t.last - t.open) / t.open, 4), highPrice24h: p(t.high), lowPrice24h: p(t.low),
    turnover24h: decimalString(t.quoteVolume, 2), volume24h: a(t.baseVolume),
  };
  if (inst.type === 'swap') {
    const f = ctx.market.funding(inst, req.now);
    const oi = ctx.market.openInterest(inst, req.now);
    ctx.recordSnapshot('funding_rate', inst, { ...f });
    Object.assign(row, {
      markPrice: p(f.markPrice), indexPrice: p(f.indexPrice), fundingRate: decimalString(f.fundingRate, 8), nextFundingTime: String(f.fundingTime),
      openInterest: String(oi.contracts), openInterestValue: decimalString(oi.value, 2), predictedDeliveryPrice: '', basisRate: '', deliveryTime: '0',
    });
  }
  return ok(req.now, { category: req.query.get('category'), list: [row] });
}

const INTERVALS: Record<string, number> = { '5min': 300_000, '15min': 900_000, '30min': 1_800_000, '1h': 3_600_000, '4h': 14_400_000, '1d': 86_400_000 };
/** ccxt passes its own timeframe ('5m') as the ratio period; Bybit's own spelling is '5min'. Both are accepted. */
const periodMs = (value: string | null): number | undefined => (value === null ? undefined : INTERVALS[value] ?? INTERVALS[value.replace(/m$/, 'min')]);

/** /v5/market/open-interest: one row per intervalTime bucket, newest first; the bucket start is the timestamp. */
function openInterest(req: SimRequest, ctx: ExchangeContext): SimResponse {
  const inst = instrument(req, ctx, 'swap');
  const interval = periodMs(req.query.get('intervalTime')) ?? badParam(req)('intervalTime');
  const limit = pageSize(intParam(req.query, 'limit', undefined, badParam(req)), 50, 200);
  const newest = Math.floor(req.now / interval) * interval;
  const list = Array.from({ length: limit }, (_, i) => {
    const oi = ctx.market.openInterest(inst, newest - i * interval);
    if (i === 0) ctx.recordSnapshot('open_interest', inst, { ...oi });
    return { openInterest: decimalString(oi.contracts, inst.amountDecimals), timestamp: String(oi.timestamp) };
  });
  return ok(req.now, { symbol: inst.id, category: 'linear', list, nextPageCursor: '' });
}

/** /v5/market/account-ratio: buyRatio/sellRatio of all accounts, newest first (default 50, max 500). */
function accountRatio(kind: RatioKind) {
  return (req: SimRequest, ctx: ExchangeContext): SimResponse => {
    const inst = instrument(req, ctx, 'swap');
    const period = periodMs(req.query.get('period')) ?? badParam(req)('period');
    const limit = pageSize(intParam(req.query, 'limit', undefined, badParam(req)), 50, 500);
    const end = Math.min(intParam(req.query, 'endTime', req.now, badParam(req))!, req.now);
    const rows = ctx.market.ratiosBetween(inst, kind, period, Math.floor(end / period) * period - period * (limit - 1), end).reverse();
    return ok(req.now, {
      list: rows.map((r) => ({ symbol: inst.id, buyRatio: decimalString(r.longAccount, 4), sellRatio: decimalString(r.shortAccount, 4), timestamp: String(r.timestamp) })),
      nextPageCursor: '',
    });
  };
}

type Route = (req: SimRequest, ctx: ExchangeContext) => SimResponse;
const ROUTES: Record<string, Route> = {
  '/v5/market/time': (req) => ok(req.now, { timeSecond: String(Math.floor(req.now / 1000)), timeNano: `${req.now}000000` }),
  '/v5/market/instruments-info': instrumentsInfo,
  '/v5/market/recent-trade': recentTrades,
  '/v5/market/orderbook': orderbook,
  '/v5/market/tickers': tickers,
  '/v5/market/open-interest': openInterest,
  '/v5/market/account-ratio': accountRatio('all_account'),
};

export const bybit: SimExchangeApi = {
  id: 'bybit',
  handle(req, ctx) {
    const route = req.method === 'GET' ? ROUTES[req.path] : undefined;
    return route ? route(req, ctx) : json(404, { retCode: 10404, retMsg: 'Not Found', result: {}, retExtInfo: {}, time: req.now });
  },
  faultResponse(kind: FaultKind, retryAfterSec: number, now: number) {
    const retry = { 'Retry-After': String(retryAfterSec) };
    switch (kind) {
      case 'rate_limit': return json(429, { retCode: 10006, retMsg: 'Too many visits!', result: {}, retExtInfo: {}, time: now }, retry);
      // Bybit blocks an IP with a bare 403 ("access too frequent"); the simulator's ban is 418 from the edge
      case 'ban': return json(418, '<html><body>access too frequent</body></html>', retry);
      case 'server_error': return json(502, '<html><body>502 Bad Gateway</body></html>');
      case 'service_unavailable':
      case 'maintenance': return json(503, '<html><body>503 Service Temporarily Unavailable</body></html>', retry);
    }
  },
};
