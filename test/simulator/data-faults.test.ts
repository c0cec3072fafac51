import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ccxt, { type Exchange } from 'ccxt';
import { startFixture, type SimFixture, type TruthTrade } from './fixture';

/**
 * The simulator's data faults and exchange limits, through ccxt: what the real exchanges send (and refuse)
 * that the collector must cope with (docs/simulator.md, "Data faults").
 */
describe('simulator data faults and parameter limits', () => {
  let fx: SimFixture;
  let spot: Exchange;
  let usdm: Exchange;
  let deribit: Exchange;
  before(async () => {
    fx = await startFixture();
    [spot, usdm, deribit] = [fx.exchange('binance'), fx.exchange('binanceusdm'), fx.exchange('deribit')];
    await Promise.all([spot.loadMarkets(), usdm.loadMarkets(), deribit.loadMarkets()]);
  });
  after(() => fx.close());

  it('backdated_trades: binance aggregate trades with a higher id and an earlier time (ccxt #8329), in ground truth too', async () => {
    await fx.admin('POST', '/_admin/faults', { exchange: 'binanceusdm', mode: 'backdated_trades', rate: 0.3 });
    const raw = (await usdm.fapiPublicGetAggTrades({ symbol: 'BTCUSDT', limit: 200 })) as Array<{ a: number; T: number }>;
    const backdated = raw.filter((t, i) => i > 0 && t.a > raw[i - 1].a && t.T < raw[i - 1].T);
    assert.ok(backdated.length >= 10, `about 30 % of 200 trades are backdated (${backdated.length})`);
    // ccxt sorts a page by time (ccxt #8329), so id order is lost unless the caller restores it
    const parsed = await usdm.fetchTrades('BTC/USDT:USDT', undefined, 200);
    assert.ok(parsed.some((t, i) => i > 0 && BigInt(t.id!) < BigInt(parsed[i - 1].id!)), 'ccxt answers out of id order');
    const truth = await fx.truth<TruthTrade>({ exchange: 'binanceusdm', type: 'trades', symbol: 'BTC/USDT:USDT', from: fx.clock.now - 60_000, to: fx.clock.now });
    const byId = new Map(truth.map((t) => [t.id, t.timestamp]));
    for (const t of raw) assert.equal(byId.get(String(t.a)), t.T, `truth reports trade ${t.a} at the time served`);
    // the same trades stay backdated on every request: a pure function of the trade
    const again = (await usdm.fapiPublicGetAggTrades({ symbol: 'BTCUSDT', fromId: raw[0].a, limit: 200 })) as Array<{ a: number; T: number }>;
    assert.deepEqual(again.map((t) => t.T), raw.map((t) => t.T));
    await fx.admin('POST', '/_admin/reset');
  });

  it('nanosecond_timestamps: a share of trades carry their time in ns (binance T, deribit timestamp), the rest in ms', async () => {
    await fx.admin('POST', '/_admin/faults', { exchange: 'binance', mode: 'nanosecond_timestamps', rate: 0.2 });
    const raw = (await spot.publicGetAggTrades({ symbol: 'BTCUSDT', limit: 100 })) as Array<{ a: number; T: number }>;
    const ns = raw.filter((t) => t.T > 1e17);
    assert.ok(ns.length >= 5 && ns.length <= 40, `about 20 % in ns (${ns.length})`);
    assert.ok(raw.filter((t) => t.T < 1e13).every((t) => t.T > 1.7e12), 'the others are epoch ms');
    await fx.admin('POST', '/_admin/faults', { exchange: 'deribit', mode: 'nanosecond_timestamps', rate: 1 });
    const [trade] = await deribit.fetchTrades('BTC/USD:BTC', undefined, 1);
    assert.ok(trade.timestamp! > 1e17, `ccxt passes the ns time through as the trade's timestamp (${trade.timestamp})`);
    await fx.admin('POST', '/_admin/reset');
  });

  it('no_last_price: a deribit ticker without a last price, bid and ask still served (ccxt #626)', async () => {
    await fx.admin('POST', '/_admin/faults', { exchange: 'deribit', mode: 'no_last_price' });
    const ticker = await deribit.fetchTicker('BTC/USD:BTC');
    assert.equal(ticker.last, undefined);
    assert.ok(ticker.bid! > 0 && ticker.ask! > ticker.bid!);
    const [served] = await fx.truth<{ last: number | null; bid: number }>({ exchange: 'deribit', type: 'ticker', symbol: 'BTC/USD:BTC', from: fx.clock.now, to: fx.clock.now });
    assert.equal(served.last, null, 'ground truth records the ticker as served');
    await fx.admin('POST', '/_admin/reset');
    assert.ok((await deribit.fetchTicker('BTC/USD:BTC')).last! > 0);
  });

  it('a data fault on an exchange that does not simulate it is refused in one line', async () => {
    const res = await fx.admin('POST', '/_admin/faults', { exchange: 'okx', mode: 'backdated_trades' });
    assert.equal(res.status, 400);
    assert.match((res.body as { error: string }).error, /^mode 'backdated_trades' is simulated on binance, binanceusdm only, not on okx$/);
  });

  it('order book depths: binance futures and deribit refuse what the real ones refuse (ccxt #9076)', async () => {
    await assert.rejects(usdm.fetchOrderBook('BTC/USDT:USDT', 25), ccxt.BadRequest);
    assert.equal((await usdm.fetchOrderBook('BTC/USDT:USDT', 20)).bids.length, 20);
    await assert.rejects(deribit.fetchOrderBook('BTC/USD:BTC', 25), ccxt.BadRequest);
    assert.equal((await deribit.fetchOrderBook('BTC/USD:BTC', 50)).bids.length, 50);
    assert.equal((await spot.fetchOrderBook('BTC/USDT', 25)).bids.length, 25, 'binance spot takes any limit');
  });
});
