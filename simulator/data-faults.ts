import type { Instrument, SimExchange } from './instruments';
import type { Market, SimTrade } from './market';
import { uniform } from './rng';

/**
 * Data faults: the exchange answers, with well-formed JSON, but some items carry what real exchanges have been
 * seen to send. They are set like transport faults (POST /_admin/faults, one fault per exchange) and `rate` is
 * the share of ITEMS affected, chosen by a hash of the item (not at random), so the same item is affected on
 * every request, as an exchange that sends a bad item keeps sending it.
 *  - backdated_trades: a trade carries an earlier time than the trade before it, although its id is higher
 *    (binance aggregate trades, ccxt #8329). Ground truth reports the same times.
 *  - nanosecond_timestamps: a trade's time is sent in nanoseconds (ccxt #24009). Ground truth keeps ms: the
 *    item is expected in the quarantine.
 *  - no_last_price: tickers carry no last trade price, bid and ask still there (an option that has not traded
 *    yet, ccxt #626); rate is the share of ticker requests.
 */
export const DATA_FAULT_MODES = ['backdated_trades', 'nanosecond_timestamps', 'no_last_price'] as const;
export type DataFaultMode = (typeof DATA_FAULT_MODES)[number];

/** Which simulated exchanges produce each data fault (the exchanges where it was seen, or whose body it fits). */
export const DATA_FAULT_EXCHANGES: Readonly<Record<DataFaultMode, readonly SimExchange[]>> = {
  backdated_trades: ['binance', 'binanceusdm'],
  nanosecond_timestamps: ['binance', 'binanceusdm', 'deribit'],
  no_last_price: ['deribit'],
};

export const DEFAULT_DATA_FAULT_RATE: Readonly<Record<DataFaultMode, number>> = {
  backdated_trades: 0.2,
  nanosecond_timestamps: 0.05,
  no_last_price: 1,
};

export function isDataFaultMode(mode: string): mode is DataFaultMode {
  return (DATA_FAULT_MODES as readonly string[]).includes(mode);
}

/** An active data fault of one exchange, as handlers and ground truth see it. */
export interface ActiveDataFault {
  mode: DataFaultMode;
  rate: number;
}

/** Whether item `n` of `inst` is among the `rate` share a data fault affects (the same items every time). */
export function affected(market: Market, fault: ActiveDataFault | undefined, mode: DataFaultMode, inst: Instrument, n: number): boolean {
  return fault?.mode === mode && uniform(market.seed, 'data-fault', mode, inst.exchange, inst.id, n) < fault.rate;
}

/**
 * A trade as the exchange reports it under backdated_trades: an affected trade (never the first) carries a time
 * 1 to 300 ms before the time of the trade before it; its id, price and amount are unchanged.
 */
export function reportedTrade(market: Market, fault: ActiveDataFault | undefined, inst: Instrument, trade: SimTrade): SimTrade {
  if (trade.id === 0 || !affected(market, fault, 'backdated_trades', inst, trade.id)) return trade;
  const previous = market.trade(inst, trade.id - 1).timestamp;
  return { ...trade, timestamp: previous - 1 - Math.floor(uniform(market.seed, 'backdate-by', inst.id, trade.id) * 300) };
}

/** A trade's time as sent: in nanoseconds for the items nanosecond_timestamps affects, else epoch ms. */
export function sentTime(market: Market, fault: ActiveDataFault | undefined, inst: Instrument, trade: SimTrade): number {
  return affected(market, fault, 'nanosecond_timestamps', inst, trade.id) ? trade.timestamp * 1_000_000 : trade.timestamp;
}
