import type { Exchange, MarketInterface as Market, Trade } from 'ccxt';
import type { ExchangePool } from '../../src/exchange/pool';

/** One fetchTrades call as the fake exchange saw it. */
export interface TradesCall {
  since?: number;
  limit?: number;
  params: Record<string, unknown>;
}

/**
 * A stand-in for a ccxt exchange that answers fetchTrades with pages a test writes by hand, so the real fetch
 * loop, trade spec and venue quirks (chosen by `id`) run on exactly the values of an issue. Everything else
 * about the exchange is the minimum the loop reads.
 */
export function fakeTradesExchange(id: string, market: Partial<Market>, answer: (call: TradesCall) => Array<Partial<Trade>>): { pool: ExchangePool; calls: TradesCall[] } {
  const calls: TradesCall[] = [];
  const exchange = {
    id,
    has: { fetchTrades: true },
    markets: { [market.symbol as string]: market },
    market: () => market,
    async fetchTrades(_symbol: string, since?: number, limit?: number, params: Record<string, unknown> = {}) {
      const call = { since, limit, params };
      calls.push(call);
      return answer(call).map((t) => ({ side: 'buy', price: 100, amount: 1, info: {}, ...t }));
    },
  } as unknown as Exchange;
  return { pool: { get: async () => exchange } as unknown as ExchangePool, calls };
}
