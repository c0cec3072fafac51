import { intParam, json, pageSize, SimHttpError, type SimRequest, type SimResponse } from '../http';
import { findInstrument, type Instrument } from '../instruments';
import { decimalString, type RatioKind } from '../market';
import { newestTrades, tradesInWindow, tradeWindow } from './trade-window';
import type { ExchangeContext, FaultKind, SimExchangeApi } from './types';

/**
 * OKX REST v5 as ccxt's okx.js calls it (paths below /api/v5). Envelope {code:'0', msg:'', data:[...]};
 * errors carry OKX's codes so ccxt's exceptions map applies (51001 → BadSymbol, 50011 → RateLimitExceeded…).
 */
const ok = (data: unknown[]): SimResponse => json(200, { code: '0', msg: '', data });
const fail = (status: number, code: string, msg: string): never => {
  throw new SimHttpError(json(status, { code, msg, data: [] }));
};
const badParam = (name: string): never => fail(400, '51000', `Parameter ${name} error`);

function instrument(req: SimRequest, ctx: ExchangeContext, type?: 'spot' | 'swap'): Instrument {
  const instId = req.query.get('instId');
  if (!instId) fail(400, '50014', 'Parameter instId can not be empty.');
  const inst = findInstrument('okx', instId!, type, ctx.instruments);
  if (!inst || inst.id !== instId) fail(400, '51001', "Instrument ID doesn't exist.");
  return inst!;
}

function listing(inst: Instrument): Record<string, string> {
  const swap = inst.type === 'swap';
  return {
    instType: swap ? 'SWAP' : 'SPOT', instId: inst.id, uly: swap ? `${inst.base}-${inst.quote}` : '', instFamily: swap ? `${inst.base}-${inst.quote}` : '',
    baseCcy: swap ? '' : inst.base, quoteCcy: swap ? '' : inst.quote, settleCcy: swap ? inst.quote : '',
    ctVal: swap ? String(inst.contractSize) : '', ctMult: swap ? '1' : '', ctValCcy: swap ? inst.base : '', ctType: swap ? 'linear' : '',
    category: '1', alias: '', expTime: '', listTime: '1548133413000', lever: swap ? '100' : '10', optType: '', stk: '',
    tickSz: decimalString(10 ** -inst.priceDecimals, inst.priceDecimals), lotSz: decimalString(10 ** -inst.amountDecimals, inst.amountDecimals),
    minSz: decimalString(10 ** -inst.amountDecimals, inst.amountDecimals), maxLmtSz: '10000000', maxMktSz: '1000000', state: inst.delisted ? 'suspend' : 'live', ruleType: 'normal',
  };
}

function tradeRow(inst: Instrument, t: { id: number; timestamp: number; price: number; amount: number; side: string }): Record<string, string> {
  return {
    instId: inst.id, tradeId: String(t.id), px: decimalString(t.price, inst.priceDecimals),
    sz: decimalString(t.amount, inst.amountDecimals), side: t.side, source: '0', ts: String(t.timestamp),
  };
}

/** /market/trades: the newest `limit` trades (max 500), newest first. */
function recentTrades(req: SimRequest, ctx: ExchangeContext): SimResponse {
  const inst = instrument(req, ctx);
  const limit = pageSize(intParam(req.query, 'limit', undefined, badParam), 100, 500);
  return ok(newestTrades(ctx, inst, req.now, limit).reverse().map((t) => tradeRow(inst, t)));
}

/**
 * /market/history-trades: pages by tradeId (type=1, default) or timestamp (type=2). `after` = older than,
 * `before` = newer than. With only `before`, the page is the `limit` trades right after the cursor, so a
 * collector can walk forward without holes. Newest first, max 100.
 */
function historyTrades(req: SimRequest, ctx: ExchangeContext): SimResponse {
  const inst = instrument(req, ctx);
  const limit = pageSize(intParam(req.query, 'limit', undefined, badParam), 100, 100);
  const byTime = (req.query.get('type') ?? '1') === '2';
  if (!['1', '2'].includes(req.query.get('type') ?? '1')) badParam('type');
  const window = tradeWindow(ctx, inst, req.now, ctx.tradeHistory.depth('okx'));
  const toIndex = (value: number, edge: 'after' | 'before'): number => {
    if (!byTime) return value;
    // after=ts: trades strictly older than ts → index below the first at/after ts; before=ts: strictly newer
    return edge === 'after' ? ctx.market.firstTradeAtOrAfter(inst, value) : ctx.market.firstTradeAtOrAfter(inst, value + 1) - 1;
  };
  const after = intParam(req.query, 'after', undefined, badParam);
  const before = intParam(req.query, 'before', undefined, badParam);
  let trades;
  if (before !== undefined) {
    // a cursor older than the fetchable window continues at the window's oldest trade (the rest is lost)
    const lo = Math.max(toIndex(before, 'before') + 1, window.oldest);
    const hi = after !== undefined ? toIndex(after, 'after') - 1 : lo + limit - 1;
    trades = tradesInWindow(ctx, inst, window, lo, Math.min(hi, lo + limit - 1));
  } else {
    const hi = after !== undefined ? toIndex(after, 'after') - 1 : window.newest;
    trades = tradesInWindow(ctx, inst, window, hi - limit + 1, hi);
  }
  return ok(trades.reverse().map((t) => tradeRow(inst, t)));
}

function books(req: SimRequest, ctx: ExchangeContext): SimResponse {
  const inst = instrument(req, ctx);
  const depth = pageSize(intParam(req.query, 'sz', undefined, badParam), 1, 400);
  const book = ctx.market.orderBook(inst, req.now, depth);
  ctx.recordSnapshot('orderbook', inst, { ...book });
  const level = ([p, a]: [number, number]): string[] => [decimalString(p, inst.priceDecimals), decimalString(a, inst.amountDecimals), '0', '1'];
  return ok([{ asks: book.asks.map(level), bids: book.bids.map(level), ts: String(book.timestamp) }]);
}

function ticker(req: SimRequest, ctx: ExchangeContext): SimResponse {
  const inst = instrument(req, ctx);
  const t = ctx.market.ticker(inst, req.now);
  ctx.recordSnapshot('ticker', inst, { ...t });
  const p = (v: number): string => decimalString(v, inst.priceDecimals);
  const a = (v: number): string => decimalString(v, inst.amountDecimals);
  return ok([{
    instType: inst.type === 'swap' ? 'SWAP' : 'SPOT', instId: inst.id, last: p(t.last), lastSz: a(t.bidSize), askPx: p(t.ask), askSz: a(t.askSize),
    bidPx: p(t.bid), bidSz: a(t.bidSize), open24h: p(t.open), high24h: p(t.high), low24h: p(t.low),
    // spot: vol24h in base, volCcy24h in quote; swap: vol24h in contracts (ccxt reads only vol24h then)
    volCcy24h: String(t.quoteVolume), vol24h: String(t.baseVolume), sodUtc0: p(t.open), sodUtc8: p(t.open), ts: String(t.timestamp),
  }]);
}

function fundingRate(req: SimRequest, ctx: ExchangeContext): SimResponse {
  const inst = instrument(req, ctx, 'swap');
  const f = ctx.market.funding(inst, req.now);
  ctx.recordSnapshot('funding_rate', inst, { ...f });
  return ok([{
    instType: 'SWAP', instId: inst.id, method: 'current_period', fundingRate: decimalString(f.fundingRate, 8), fundingTime: String(f.fundingTime),
    nextFundingRate: '', nextFundingTime: String(f.nextFundingTime), minFundingRate: '-0.0075', maxFundingRate: '0.0075',
    premium: decimalString(f.fundingRate / 2, 8), settFundingRate: decimalString(f.fundingRate, 8), settState: 'settled', ts: String(f.timestamp),
  }]);
}

function openInterest(req: SimRequest, ctx: ExchangeContext): SimResponse {
  const inst = instrument(req, ctx, 'swap');
  const oi = ctx.market.openInterest(inst, req.now);
  ctx.recordSnapshot('open_interest', inst, { ...oi });
  return ok([{ instType: 'SWAP', instId: inst.id, oi: String(oi.contracts), oiCcy: String(oi.baseAmount), oiUsd: String(oi.value), ts: String(oi.timestamp) }]);
}

/** OKX rubik periods: 5m, 1H, 1D (…), optionally with a utc suffix. */
export function okxPeriodMs(period: string): number | undefined {
  const m = /^(\d+)(m|H|D|W)(utc)?$/.exec(period);
  if (!m) return undefined;
  const unit = { m: 60_000, H: 3_600_000, D: 86_400_000, W: 604_800_000 }[m[2] as 'm' | 'H' | 'D' | 'W'];
  return Number(m[1]) * unit;
}

/** rubik long/short ratios: [[ts, ratio], …] newest first; begin/end bound the bucket timestamps. */
function ratios(kind: RatioKind) {
  return (req: SimRequest, ctx: ExchangeContext): SimResponse => {
    const inst = instrument(req, ctx, 'swap');
    const periodMs = okxPeriodMs(req.query.get('period') ?? '5m') ?? badParam('period');
    const limit = pageSize(intParam(req.query, 'limit', undefined, badParam), 100, 100);
    const end = Math.min(intParam(req.query, 'end', req.now, badParam)!, req.now);
    const begin = intParam(req.query, 'begin', undefined, badParam);
    let rows = ctx.market.ratiosBetween(inst, kind, periodMs, begin ?? Math.floor(end / periodMs) * periodMs - periodMs * (limit - 1), end);
    rows = rows.slice(-limit).reverse();
    return ok(rows.map((r) => [String(r.timestamp), String(r.longShortRatio)]));
  };
}

function instruments(req: SimRequest, ctx: ExchangeContext): SimResponse {
  const instType = req.query.get('instType');
  if (!instType) fail(400, '50014', 'Parameter instType can not be empty.');
  if (!['SPOT', 'MARGIN', 'SWAP', 'FUTURES', 'OPTION'].includes(instType!)) badParam('instType');
  const type = instType === 'SWAP' ? 'swap' : instType === 'SPOT' ? 'spot' : undefined;
  return ok(ctx.instruments.okx.filter((i) => i.type === type).map(listing));
}

type Route = (req: SimRequest, ctx: ExchangeContext) => SimResponse;
const ROUTES: Record<string, Route> = {
  '/api/v5/public/time': (req) => ok([{ ts: String(req.now) }]),
  '/api/v5/system/status': () => ok([]),
  '/api/v5/public/instruments': instruments,
  '/api/v5/market/trades': recentTrades,
  '/api/v5/market/history-trades': historyTrades,
  '/api/v5/market/books': books,
  '/api/v5/market/ticker': ticker,
  '/api/v5/public/funding-rate': fundingRate,
  '/api/v5/public/open-interest': openInterest,
  '/api/v5/rubik/stat/contracts/long-short-account-ratio-contract': ratios('all_account'),
  '/api/v5/rubik/stat/contracts/long-short-position-ratio-contract-top-trader': ratios('top_position'),
};

export const okx: SimExchangeApi = {
  id: 'okx',
  handle(req, ctx) {
    const route = req.method === 'GET' ? ROUTES[req.path] : undefined;
    if (!route) return json(404, { code: '50000', msg: 'Not Found', data: [] });
    return route(req, ctx);
  },
  faultResponse(kind: FaultKind, retryAfterSec: number) {
    const retry = { 'Retry-After': String(retryAfterSec) };
    switch (kind) {
      case 'rate_limit': return json(429, { msg: 'Too Many Requests', code: '50011' }, retry);
      // OKX has no JSON ban body; an IP block comes from its edge as an HTML page (status 418 here, as asked for bans)
      case 'ban': return json(418, '<html><body>Access denied</body></html>', retry);
      case 'server_error': return json(500, { code: '50026', msg: 'System error. Try again later.', data: [] });
      case 'service_unavailable': return json(503, { code: '50013', msg: 'Systems are busy. Please try again later.', data: [] });
      case 'maintenance': return json(503, { code: '50001', msg: 'Service temporarily unavailable. Try again later', data: [] }, retry);
    }
  },
};
