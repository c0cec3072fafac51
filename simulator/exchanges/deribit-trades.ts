import type { SimRequest, SimResponse } from '../http';
import type { Instrument } from '../instruments';
import { roundTo, type SimTrade } from '../market';
import { countArg, enumArg, instrumentArg, intArg, invalidParam, rpcResult } from './deribit-rpc';
import { sentTime } from '../data-faults';
import { DERIBIT_RECENT_MS, shallower } from '../trade-history';
import { tradesInWindow, tradeWindow } from './trade-window';
import type { ExchangeContext } from './types';

/**
 * Deribit public trades: get_last_trades_by_instrument (bounded by trade_seq) and
 * get_last_trades_by_instrument_and_time (bounded by timestamp), as ccxt's fetchTrades calls them
 * (since → the _and_time method with start_timestamp only). A start bound anchors the page at the earliest
 * trade of the range ("trades are returned from the earliest"), so `since` pages forward without holes;
 * with only an end bound (or none) the page is the newest `count` trades. Order: sorting=asc oldest first,
 * desc/default newest first. trade_seq is the simulator's consecutive per-instrument trade index; trade_id is
 * unique per currency, not per instrument (Market.tradeId): it jumps between consecutive trades of one instrument.
 */
const DEFAULT_COUNT = 10;
const MAX_COUNT = 1000;
const SORTINGS = ['asc', 'desc', 'default'] as const;

interface Bounds {
  /** index range requested (undefined = open) */
  from?: number;
  to?: number;
}

function tickDirection(price: number, previous: number | undefined): number {
  if (previous === undefined || price === previous) return 1; // zero-plus tick
  return price > previous ? 0 : 2; // plus tick : minus tick
}

function tradeRow(ctx: ExchangeContext, inst: Instrument, t: SimTrade): Record<string, unknown> {
  const previous = t.id > 0 ? ctx.market.trade(inst, t.id - 1).price : undefined;
  const mid = ctx.market.midPrice(inst, t.timestamp);
  return {
    trade_seq: t.id, trade_id: t.tradeId, timestamp: sentTime(ctx.market, ctx.dataFault('deribit'), inst, t), tick_direction: tickDirection(t.price, previous),
    price: t.price, mark_price: roundTo(mid, 4), index_price: roundTo(mid * (1 - 1e-4), 2), instrument_name: inst.id,
    direction: t.side, amount: t.amount, contracts: roundTo(t.amount / inst.contractSize, 4),
  };
}

function page(req: SimRequest, ctx: ExchangeContext, inst: Instrument, bounds: Bounds, anchoredAtStart: boolean): SimResponse {
  const count = countArg(req, DEFAULT_COUNT, MAX_COUNT);
  const sorting = enumArg(req, 'sorting', SORTINGS, 'default');
  // without include_old=true only the last 7 days are served (ccxt always sends true)
  const includeOld = enumArg(req, 'include_old', ['true', 'false'], 'false') === 'true';
  const depth = ctx.tradeHistory.depth('deribit');
  const window = tradeWindow(ctx, inst, req.now, includeOld ? depth : shallower(depth, DERIBIT_RECENT_MS));
  // a start older than the fetchable history continues at the oldest kept trade (the rest is lost)
  const lo = Math.max(bounds.from ?? window.oldest, window.oldest);
  const hi = Math.min(bounds.to ?? window.newest, window.newest);
  const [first, last] = anchoredAtStart ? [lo, Math.min(hi, lo + count - 1)] : [Math.max(lo, hi - count + 1), hi];
  const trades = tradesInWindow(ctx, inst, window, first, last);
  const hasMore = trades.length > 0 && (anchoredAtStart ? last < hi : first > lo);
  const rows = trades.map((t) => tradeRow(ctx, inst, t));
  return rpcResult(req.now, { trades: sorting === 'asc' ? rows : rows.reverse(), has_more: hasMore });
}

export function lastTradesByInstrument(req: SimRequest, ctx: ExchangeContext): SimResponse {
  const inst = instrumentArg(req);
  const from = intArg(req, 'start_seq');
  const to = intArg(req, 'end_seq');
  return page(req, ctx, inst, { from, to }, from !== undefined);
}

export function lastTradesByInstrumentAndTime(req: SimRequest, ctx: ExchangeContext): SimResponse {
  const inst = instrumentArg(req);
  const start = intArg(req, 'start_timestamp');
  const end = intArg(req, 'end_timestamp');
  // Deribit: "only one of start_timestamp, end_timestamp is truly required"
  if (start === undefined && end === undefined) invalidParam(req, 'end_timestamp', 'must be present');
  const bounds: Bounds = {
    from: start === undefined ? undefined : ctx.market.firstTradeAtOrAfter(inst, start),
    to: end === undefined ? undefined : ctx.market.firstTradeAtOrAfter(inst, end + 1) - 1,
  };
  return page(req, ctx, inst, bounds, start !== undefined);
}
