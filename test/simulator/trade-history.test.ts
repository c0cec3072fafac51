import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Exchange } from 'ccxt';
import { startFixture, type SimFixture, type TruthTrade } from './fixture';

type Rpc<T> = { result: T };
interface RawTrade { trade_seq: number; timestamp: number }

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * How deep each exchange's paged trade history is, with the real exchanges' depths (the fixture's shallow
 * 20 s replaced by the defaults): okx 3 months, binance everything, deribit everything with include_old
 * (7 days without), bybit latest-only; and the admin API that changes a depth at runtime.
 */
describe('simulated trade history depth per exchange', () => {
  let fx: SimFixture;
  let okx: Exchange;
  let usdm: Exchange;
  let deribit: Exchange;
  before(async () => {
    fx = await startFixture({ tradeHistory: {} });
    okx = fx.exchange('okx');
    usdm = fx.exchange('binanceusdm');
    deribit = fx.exchange('deribit');
    await Promise.all([okx.loadMarkets(), usdm.loadMarkets(), deribit.loadMarkets()]);
  });
  after(() => fx.close());

  // the trade's index in its instrument: the id on okx and binance, deribit's trade_seq (its trade_id is per currency)
  const firstIdAfter = async (exchange: string, symbol: string, t: number): Promise<number> =>
    (await fx.truth<TruthTrade>({ exchange, type: 'trades', symbol, from: t, to: t + 1_000 }))[0].seq;

  it('the defaults are the real exchanges\' depths', async () => {
    const table = await fx.admin('GET', '/_admin/trade-history');
    assert.deepEqual(table.body, { okx: 90 * DAY, binance: 'all', binanceusdm: 'all', deribit: 'all', bybit: 'latest' });
  });

  it('okx history-trades reaches back 3 months: a cursor a day old pages on right after it, one older than 90 days does not', async () => {
    const dayOld = await firstIdAfter('okx', 'ETH-USDT-SWAP', fx.clock.now - DAY);
    const page = await okx.fetchTrades('ETH/USDT:USDT', undefined, 100, { method: 'publicGetMarketHistoryTrades', before: String(dayOld) });
    assert.deepEqual(page.map((t) => Number(t.id)), Array.from({ length: 100 }, (_, i) => dayOld + 1 + i));
    const tooOld = await firstIdAfter('okx', 'ETH-USDT-SWAP', fx.clock.now - 91 * DAY);
    const oldestKept = await firstIdAfter('okx', 'ETH-USDT-SWAP', fx.clock.now - 90 * DAY);
    const [first] = await okx.fetchTrades('ETH/USDT:USDT', undefined, 100, { method: 'publicGetMarketHistoryTrades', before: String(tooOld) });
    assert.equal(Number(first.id), oldestKept, 'continues at the oldest trade of the last 90 days');
  });

  it('deribit serves old trades only with include_old=true (ccxt always sends it), else the last 7 days', async () => {
    const old = await firstIdAfter('deribit', 'BTC-PERPETUAL', fx.clock.now - 30 * DAY);
    const args = { instrument_name: 'BTC-PERPETUAL', start_seq: old, count: 3, sorting: 'asc' };
    const withOld = (await deribit.publicGetGetLastTradesByInstrument({ ...args, include_old: 'true' })) as Rpc<{ trades: RawTrade[] }>;
    assert.deepEqual(withOld.result.trades.map((t) => t.trade_seq), [old, old + 1, old + 2]);
    const recentOnly = (await deribit.publicGetGetLastTradesByInstrument({ ...args, include_old: 'false' })) as Rpc<{ trades: RawTrade[] }>;
    assert.equal(recentOnly.result.trades[0].trade_seq, await firstIdAfter('deribit', 'BTC-PERPETUAL', fx.clock.now - 7 * DAY));
    const viaCcxt = await deribit.fetchTrades('BTC/USD:BTC', fx.clock.now - 30 * DAY, 2);
    assert.deepEqual(viaCcxt.map((t) => (t.info as RawTrade).trade_seq), [old, old + 1]);
  });

  it('binance aggTrades fromId serves trades of any age', async () => {
    const old = await firstIdAfter('binanceusdm', 'ETHUSDT', fx.clock.now - 365 * DAY);
    const page = await usdm.fetchTrades('ETH/USDT:USDT', undefined, 5, { fromId: old });
    assert.deepEqual(page.map((t) => Number(t.id)), [old, old + 1, old + 2, old + 3, old + 4]);
  });

  it('bybit recent-trade is latest-only: the newest page, whatever history the others keep', async () => {
    const bybit = fx.exchange('bybit');
    const trades = await bybit.fetchTrades('BTC/USDT:USDT', undefined, 1000);
    const truth = await fx.truth<TruthTrade>({ exchange: 'bybit', type: 'trades', symbol: 'BTC/USDT:USDT', from: fx.clock.now - 120_000, to: fx.clock.now });
    assert.deepEqual(trades.map((t) => t.id), truth.slice(-1000).map((t) => t.id));
  });

  it('the admin API changes a depth at runtime (duration, ms or all) and refuses bad input in one line', async () => {
    const set = await fx.admin('POST', '/_admin/trade-history', { exchange: 'okx', depth: '90s' });
    assert.deepEqual([set.status, (set.body as Record<string, unknown>).okx], [200, 90_000]);
    assert.equal(((await fx.admin('POST', '/_admin/trade-history', { exchange: 'deribit', depth: 5_000 })).body as Record<string, unknown>).deribit, 5_000);
    const refusals: Array<[unknown, RegExp]> = [
      [{ exchange: 'bybit', depth: '1m' }, /^bybit serves only its newest trades/],
      [{ exchange: 'kraken', depth: '1m' }, /^exchange 'kraken' is not simulated; use one of okx, binance, binanceusdm, deribit$/],
      [{ exchange: 'okx', depth: 'forever' }, /^depth of okx "forever" must be 'all', a duration like 60s/],
      [{ exchange: 'okx', depth: -1 }, /must be 'all', a duration/],
    ];
    for (const [body, message] of refusals) {
      const res = await fx.admin('POST', '/_admin/trade-history', body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match((res.body as { error: string }).error, message);
    }
    await fx.admin('POST', '/_admin/reset');
    assert.equal(((await fx.admin('GET', '/_admin/trade-history')).body as Record<string, unknown>).okx, 90 * DAY, 'reset restores the start-up depths');
  });
});
