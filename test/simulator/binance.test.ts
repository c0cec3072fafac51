import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ccxt, { type Exchange } from 'ccxt';
import { startFixture, T0, type SimFixture, type TruthTrade } from './fixture';

const shape = (t: { id?: string; timestamp?: number; price?: number; amount?: number; side?: string }) => [t.id, t.timestamp, t.price, t.amount, t.side];

describe('binance spot and USD-M simulator through ccxt', () => {
  let fx: SimFixture;
  let spot: Exchange;
  let usdm: Exchange;
  before(async () => {
    fx = await startFixture();
    spot = fx.exchange('binance');
    usdm = fx.exchange('binanceusdm');
    await Promise.all([spot.loadMarkets(), usdm.loadMarkets()]);
  });
  after(() => fx.close());

  it('loadMarkets: spot pairs on binance, USDT perpetuals on binanceusdm', () => {
    assert.deepEqual(Object.keys(spot.markets ?? {}).sort(), ['BTC/USDT', 'ETH/USDT']);
    assert.deepEqual(Object.keys(usdm.markets ?? {}).sort(), ['BTC/USDT:USDT', 'ETH/USDT:USDT']);
    assert.equal(usdm.market('BTC/USDT:USDT').id, 'BTCUSDT');
    assert.equal(spot.market('BTC/USDT').precision.price, 0.1);
  });

  it('fetchTrades (aggTrades) returns the newest trades as in ground truth', async () => {
    for (const [ex, symbol, id] of [[spot, 'BTC/USDT', 'binance'], [usdm, 'ETH/USDT:USDT', 'binanceusdm']] as const) {
      const trades = await ex.fetchTrades(symbol, undefined, 40);
      const truth = await fx.truth<TruthTrade>({ exchange: id, type: 'trades', symbol, from: T0 - 60_000, to: T0 });
      assert.equal(trades.length, 40);
      assert.deepEqual(trades.map(shape), truth.slice(-40).map(shape));
    }
  });

  it('paging forward with fromId yields every trade once; history reaches back to the first trade unless made shallower', async () => {
    const [first] = await usdm.fetchTrades('BTC/USDT:USDT', undefined, 1);
    const ids: string[] = [first.id!];
    for (let step = 0; step < 4; step++) {
      fx.clock.now += 9_000;
      for (;;) {
        const page = await usdm.fetchTrades('BTC/USDT:USDT', undefined, 100, { fromId: Number(ids.at(-1)) + 1 });
        if (page.length === 0) break;
        ids.push(...page.map((t) => t.id!));
      }
    }
    const truth = await fx.truth<TruthTrade>({ exchange: 'binanceusdm', type: 'trades', symbol: 'BTCUSDT', from: first.timestamp!, to: fx.clock.now });
    assert.deepEqual(ids, truth.map((t) => t.id));
    // like the real aggTrades, fromId reaches any trade: after a long pause the page starts right after the cursor
    fx.clock.now += 60_000;
    const cursor = Number(ids.at(-1));
    const resumed = await usdm.fetchTrades('BTC/USDT:USDT', undefined, 1000, { fromId: cursor + 1 });
    assert.deepEqual(resumed.map((t) => Number(t.id)), Array.from({ length: 1000 }, (_, i) => cursor + 1 + i));
    const fromTheStart = await usdm.fetchTrades('BTC/USDT:USDT', undefined, 3, { fromId: 0 });
    assert.deepEqual(fromTheStart.map((t) => t.id), ['0', '1', '2'], 'every trade since the first is served');
    // made shallower through the admin API, a cursor older than the history continues at the oldest kept trade
    const set = await fx.admin('POST', '/_admin/trade-history', { exchange: 'binanceusdm', depth: '20s' });
    assert.equal(set.status, 200);
    assert.equal((set.body as Record<string, unknown>).binanceusdm, 20_000);
    const kept = await fx.truth<TruthTrade>({ exchange: 'binanceusdm', type: 'trades', symbol: 'BTCUSDT', from: fx.clock.now - 20_000, to: fx.clock.now });
    const shallow = await usdm.fetchTrades('BTC/USDT:USDT', undefined, 1000, { fromId: cursor + 1 });
    assert.deepEqual(shallow.map((t) => t.id), kept.map((t) => t.id), 'exactly the last 20 s of trades');
    assert.ok(Number(shallow[0].id) > cursor + 1, 'the trades right after the cursor are gone');
    await fx.admin('POST', '/_admin/reset');
    const restored = (await fx.admin('GET', '/_admin/trade-history')).body as Record<string, unknown>;
    assert.equal(restored.binanceusdm, 'all', 'reset restores the start-up depth');
  });

  it('fetchTrades with since pages by startTime', async () => {
    const since = fx.clock.now - 2_000;
    const trades = await spot.fetchTrades('ETH/USDT', since);
    const truth = await fx.truth<TruthTrade>({ exchange: 'binance', type: 'trades', symbol: 'ETH/USDT', from: since, to: fx.clock.now });
    assert.ok(truth.length >= 30);
    assert.deepEqual(trades.map(shape), truth.map(shape));
  });

  it('order book and ticker equal the emitted snapshots', async () => {
    const book = await usdm.fetchOrderBook('BTC/USDT:USDT', 5);
    const [snap] = await fx.truth<{ bids: number[][]; asks: number[][] }>({ exchange: 'binanceusdm', type: 'orderbook', symbol: 'BTC/USDT:USDT', from: book.timestamp!, to: book.timestamp! });
    assert.deepEqual([book.bids, book.asks], [snap.bids, snap.asks]);
    const spotBook = await spot.fetchOrderBook('ETH/USDT', 5);
    const spotSnaps = await fx.truth<{ bids: number[][]; asks: number[][] }>({ exchange: 'binance', type: 'orderbook', symbol: 'ETH/USDT', from: 0, to: fx.clock.now });
    assert.deepEqual([spotBook.bids, spotBook.asks], [spotSnaps.at(-1)!.bids, spotSnaps.at(-1)!.asks]);
    const ticker = await spot.fetchTicker('BTC/USDT');
    const [t] = await fx.truth<Record<string, number>>({ exchange: 'binance', type: 'ticker', symbol: 'BTCUSDT', from: ticker.timestamp!, to: ticker.timestamp! });
    assert.deepEqual([ticker.last, ticker.bid, ticker.ask, ticker.high, ticker.low, ticker.baseVolume, ticker.quoteVolume], [t.last, t.bid, t.ask, t.high, t.low, t.baseVolume, t.quoteVolume]);
  });

  it('funding rate, open interest and long/short ratios equal ground truth', async () => {
    const funding = await usdm.fetchFundingRate('ETH/USDT:USDT');
    const [f] = await fx.truth<Record<string, number>>({ exchange: 'binanceusdm', type: 'funding_rate', symbol: 'ETH/USDT:USDT', from: funding.timestamp!, to: funding.timestamp! });
    assert.deepEqual([funding.fundingRate, funding.fundingTimestamp, funding.markPrice, funding.indexPrice], [f.fundingRate, f.fundingTime, f.markPrice, f.indexPrice]);
    const oi = await usdm.fetchOpenInterest('BTC/USDT:USDT');
    const [o] = await fx.truth<Record<string, number>>({ exchange: 'binanceusdm', type: 'open_interest', symbol: 'BTC/USDT:USDT', from: oi.timestamp!, to: oi.timestamp! });
    assert.equal(oi.openInterestAmount, o.contracts);
    const lsr = await usdm.fetchLongShortRatioHistory('BTC/USDT:USDT', '1h', undefined, 4);
    const truthAll = await fx.truth<Record<string, number>>({ exchange: 'binanceusdm', type: 'lsr_all_account', symbol: 'BTC/USDT:USDT', period: '1h', from: fx.clock.now - 4 * 3_600_000 + 1, to: fx.clock.now });
    assert.deepEqual(lsr.map((r) => [r.timestamp, r.longShortRatio]), truthAll.map((r) => [r.timestamp, r.longShortRatio]));
    const top = (await usdm.fapiDataGetTopLongShortPositionRatio({ symbol: 'ETHUSDT', period: '5m', limit: 3 })) as Array<Record<string, string | number>>;
    const truthTop = await fx.truth<Record<string, number>>({ exchange: 'binanceusdm', type: 'lsr_top_position', symbol: 'ETHUSDT', period: '5m', from: fx.clock.now - 15 * 60_000 + 1, to: fx.clock.now });
    assert.deepEqual(top.map((r) => [r.timestamp, Number(r.longShortRatio), Number(r.longAccount)]), truthTop.map((r) => [r.timestamp, r.longShortRatio, r.longAccount]));
  });

  it('errors come in binance format: -1121 → BadSymbol, 429/418 → DDoSProtection, 5xx → ExchangeNotAvailable', async () => {
    await assert.rejects(spot.publicGetAggTrades({ symbol: 'DOGEEUR' }), ccxt.BadSymbol);
    for (const [mode, cls] of [['rate_limit', ccxt.DDoSProtection], ['ban', ccxt.DDoSProtection], ['server_error', ccxt.ExchangeNotAvailable]] as const) {
      await fx.admin('POST', '/_admin/faults', { exchange: 'binanceusdm', mode });
      await assert.rejects(usdm.fetchTicker('BTC/USDT:USDT'), cls, mode);
      assert.ok((await spot.fetchTicker('BTC/USDT')).last! > 0, 'binance spot is not affected by a binanceusdm fault');
    }
    await fx.admin('POST', '/_admin/reset');
  });
});
