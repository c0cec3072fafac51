import type { Exchange } from 'ccxt';
import { createExchange } from '../../src/exchange/client';
import { freePort } from '../../src/services/process';
import { simulatorExchangeConfigs } from '../../simulator/config';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../simulator/server';

/** A simulator on a free port with a hand-driven clock, so market content is fixed while a test looks at it. */
export interface SimFixture {
  sim: RunningSimulator;
  clock: { now: number };
  exchange(id: string, timeout?: string): Exchange;
  truth<T = Record<string, unknown>>(params: Record<string, string | number>): Promise<T[]>;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

/** okx and deribit serve 20 s of trades (400 at 20/s), so a frozen-clock test can step past their history */
export const HISTORY_MS = 20_000;

/** A fixed start instant keeps every run identical (the generator is a pure function of seed and time). */
export const T0 = Date.UTC(2025, 0, 15, 12, 0, 0);

export async function startFixture(opts: Partial<SimulatorOptions> = {}): Promise<SimFixture> {
  const clock = { now: T0 };
  const sim = await startSimulator({ port: await freePort(), seed: 11, tradesPerSecond: 20, tradeHistory: { okx: HISTORY_MS, deribit: HISTORY_MS }, now: () => clock.now, ...opts });
  const configs = simulatorExchangeConfigs(sim.url);
  const exchanges: Exchange[] = [];
  return {
    sim,
    clock,
    exchange(id, timeout = '5s') {
      const ex = createExchange(id, { ...configs[id], timeout });
      exchanges.push(ex);
      return ex;
    },
    async truth<T>(params: Record<string, string | number>) {
      const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
      const res = await fetch(`${sim.url}/_admin/truth?${query}`);
      const body = await res.json();
      if (res.status !== 200) throw new Error(`truth ${query}: ${JSON.stringify(body)}`);
      return body as T[];
    },
    async admin(method, path, body) {
      const res = await fetch(`${sim.url}${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: await res.json() };
    },
    async close() {
      await Promise.all(exchanges.map((ex) => ex.close?.().catch(() => undefined)));
      await sim.close();
    },
  };
}

export interface TruthTrade {
  /** the exchange's trade id (deribit: unique per currency) */
  id: string;
  /** the trade's index in its instrument (deribit's trade_seq) */
  seq: number;
  timestamp: number;
  price: number;
  amount: number;
  side: 'buy' | 'sell';
}
