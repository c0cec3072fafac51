import type { Instrument } from '../instruments';
import type { SimTrade } from '../market';
import type { ExchangeContext } from './types';

/**
 * The trades an exchange will still hand out: the newest `historyLimit` ones up to now. Older trades
 * exist in ground truth but cannot be fetched any more, which is how back-fill gaps arise.
 */
export interface TradeWindow {
  oldest: number;
  newest: number;
}

export function tradeWindow(ctx: ExchangeContext, inst: Instrument, now: number): TradeWindow {
  const newest = ctx.market.lastTradeAt(inst, now);
  return { oldest: Math.max(0, newest - ctx.historyLimit + 1), newest };
}

/** Trades with index in [from, to] clipped to the window, oldest first. */
export function tradesInWindow(ctx: ExchangeContext, inst: Instrument, window: TradeWindow, from: number, to: number): SimTrade[] {
  const lo = Math.max(from, window.oldest);
  const hi = Math.min(to, window.newest);
  return hi < lo ? [] : ctx.market.tradeRange(inst, lo, hi);
}

/** Index of the first fetchable trade at or after time t. */
export function firstIndexAtOrAfter(ctx: ExchangeContext, inst: Instrument, t: number): number {
  return ctx.market.firstTradeAtOrAfter(inst, t);
}
