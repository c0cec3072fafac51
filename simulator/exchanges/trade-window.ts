import type { Instrument } from '../instruments';
import type { SimTrade } from '../market';
import type { HistoryDepth } from '../trade-history';
import type { ExchangeContext } from './types';

/**
 * The trades an exchange will still hand out through its paged endpoint: those no older than the
 * exchange's history depth (simulator/trade-history.ts), up to now. Older trades exist in ground truth but
 * cannot be fetched any more, which is how back-fill gaps arise.
 */
export interface TradeWindow {
  oldest: number;
  newest: number;
}

export function tradeWindow(ctx: ExchangeContext, inst: Instrument, now: number, depth: HistoryDepth): TradeWindow {
  const newest = ctx.market.lastTradeAt(inst, now);
  if (depth === 'all') return { oldest: 0, newest };
  return { oldest: Math.min(ctx.market.firstTradeAtOrAfter(inst, now - depth), newest + 1), newest };
}

/** Trades with index in [from, to] clipped to the window, oldest first. */
export function tradesInWindow(ctx: ExchangeContext, inst: Instrument, window: TradeWindow, from: number, to: number): SimTrade[] {
  const lo = Math.max(from, window.oldest);
  const hi = Math.min(to, window.newest);
  return hi < lo ? [] : ctx.market.tradeRange(inst, lo, hi);
}

/** The newest `count` trades up to now, oldest first: what latest-only endpoints (no cursor) serve. */
export function newestTrades(ctx: ExchangeContext, inst: Instrument, now: number, count: number): SimTrade[] {
  const newest = ctx.market.lastTradeAt(inst, now);
  return newest < 0 ? [] : ctx.market.tradeRange(inst, Math.max(0, newest - count + 1), newest);
}
