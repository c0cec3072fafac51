import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ccxt, { type Exchange } from 'ccxt';
import { HISTORY_MS, startFixture, T0, type SimFixture, type TruthTrade } from './fixture';

describe('okx simulator through ccxt', () => {
  let fx: SimFixture;
  let okx: Exchange;
  before(async () => {
    fx = await startFixture();
    okx = fx.exchange('okx');
    await okx.loadMarkets();
  });
  after(() => fx.close());

  it('loadMarkets lists the simulated spot and swap instruments with their contract sizes', () => {
    assert.deepEqual(Object.keys(okx.markets ?? {}).sort(), ['BTC/USDT', 'BTC/USDT:USDT', 'ETH/USDT', 'ETH/USDT:USDT']);
    assert.equal(okx.market('BTC/USDT:USDT').id, 'BTC-USDT-SWAP');
    assert.equal(okx.market('BTC/USDT:USDT').contractSize, 0.01);
    assert.equal(okx.market('ETH/USDT').precision.price, 0.01);
  });

  it('fetchTrades returns the newest trades exactly as ground truth has them', async () => {
    const trades = await okx.fetchTrades('BTC/USDT:USDT', undefined, 50);
    assert.equal(trades.length, 50);
    const truth = await fx.truth<TruthTrade>({ exchange: 'okx', type: 'trades', symbol: 'BTC-USDT-SWAP', from: T0 - 60_000, to: T0 });
    const expected = truth.slice(-50);
    assert.deepEqual(
      trades.map((t) => ({ id: t.id, timestamp: t.timestamp, price: t.price, amount: t.amount, side: t.side })),
      expected.map((t) => ({ id: t.id, timestamp: t.timestamp, price: t.price, amount: t.amount, side: t.side })),
    );
    assert.ok(trades.every((t) => t.timestamp! <= T0));
  });

  it('fetchOrderBook equals the emitted snapshot', async () => {
    const book = await okx.fetchOrderBook('ETH/USDT', 10);
    const [snap] = await fx.truth<{ bids: number[][]; asks: number[][]; timestamp: number }>({ exchange: 'okx', type: 'orderbook', symbol: 'ETH/USDT', from: book.timestamp!, to: book.timestamp! });
    assert.equal(book.bids.length, 10);
    assert.deepEqual(book.bids.map(([p, a]) => [p, a]), snap.bids);
    assert.deepEqual(book.asks.map(([p, a]) => [p, a]), snap.asks);
    assert.ok(book.bids[0][0]! < book.asks[0][0]!);
  });

  it('fetchTicker equals the emitted ticker, and its last price is the last trade', async () => {
    const ticker = await okx.fetchTicker('BTC/USDT');
    const [snap] = await fx.truth<Record<string, number>>({ exchange: 'okx', type: 'ticker', symbol: 'BTC-USDT', from: T0, to: T0 });
    assert.deepEqual(
      [ticker.last, ticker.bid, ticker.ask, ticker.open, ticker.high, ticker.low, ticker.baseVolume, ticker.quoteVolume, ticker.timestamp],
      [snap.last, snap.bid, snap.ask, snap.open, snap.high, snap.low, snap.baseVolume, snap.quoteVolume, snap.timestamp],
    );
    const trades = await fx.truth<TruthTrade>({ exchange: 'okx', type: 'trades', symbol: 'BTC/USDT', from: T0 - 5_000, to: T0 });
    assert.equal(ticker.last, trades.at(-1)!.price);
  });

  it('fetchFundingRate and fetchOpenInterest equal the emitted values', async () => {
    const funding = await okx.fetchFundingRate('ETH/USDT:USDT');
    const [f] = await fx.truth<Record<string, number>>({ exchange: 'okx', type: 'funding_rate', symbol: 'ETH/USDT:USDT', from: T0, to: T0 });
    assert.equal(funding.fundingRate, f.fundingRate);
    assert.equal(funding.fundingTimestamp, f.fundingTime);
    assert.equal(funding.nextFundingTimestamp, f.nextFundingTime);
    const oi = await okx.fetchOpenInterest('BTC/USDT:USDT');
    const [o] = await fx.truth<Record<string, number>>({ exchange: 'okx', type: 'open_interest', symbol: 'BTC-USDT-SWAP', from: T0, to: T0 });
    assert.deepEqual([oi.openInterestAmount, oi.baseVolume, oi.openInterestValue, oi.timestamp], [o.contracts, o.baseAmount, o.value, o.timestamp]);
  });

  it('long/short ratios (all accounts unified, top traders implicit) equal ground truth', async () => {
    const all = await okx.fetchLongShortRatioHistory('BTC/USDT:USDT', '5m', undefined, 6);
    const truthAll = await fx.truth<{ timestamp: number; longShortRatio: number }>({ exchange: 'okx', type: 'lsr_all_account', symbol: 'BTC/USDT:USDT', period: '5m', from: T0 - 25 * 60_000, to: T0 });
    assert.equal(all.length, 6);
    assert.deepEqual(all.map((r) => [r.timestamp, r.longShortRatio]), truthAll.map((r) => [r.timestamp, r.longShortRatio]));
    const top = (await okx.publicGetRubikStatContractsLongShortPositionRatioContractTopTrader({ instId: 'ETH-USDT-SWAP', period: '1H', limit: 3 })) as { data: string[][] };
    const truthTop = await fx.truth<{ timestamp: number; longShortRatio: number }>({ exchange: 'okx', type: 'lsr_top_position', symbol: 'ETH-USDT-SWAP', period: '1h', from: T0 - 2 * 3_600_000, to: T0 });
    assert.deepEqual(top.data.map(([ts, r]) => [Number(ts), Number(r)]).reverse(), truthTop.map((r) => [r.timestamp, r.longShortRatio]));
    assert.notDeepEqual(truthTop.map((r) => r.longShortRatio), truthAll.slice(-3).map((r) => r.longShortRatio));
  });

  it('an unknown instrument is answered with okx code 51001, which ccxt raises as BadSymbol', async () => {
    await assert.rejects(okx.publicGetMarketTrades({ instId: 'DOGE-EUR' }), ccxt.BadSymbol);
    await assert.rejects(okx.fetchTrades('DOGE/EUR'), ccxt.BadSymbol);
  });
});

describe('okx trades paging', () => {
  let fx: SimFixture;
  let okx: Exchange;
  before(async () => {
    fx = await startFixture();
    okx = fx.exchange('okx');
    await okx.loadMarkets();
  });
  after(() => fx.close());

  /** One collector poll: history-trades with before=cursor, repeated until a page comes back empty. */
  async function pollForward(symbol: string, cursor: string): Promise<string[]> {
    const ids: string[] = [];
    for (;;) {
      const page = await okx.fetchTrades(symbol, undefined, 100, { method: 'publicGetMarketHistoryTrades', before: cursor });
      if (page.length === 0) return ids;
      const pageIds = page.map((t) => t.id!);
      ids.push(...pageIds);
      cursor = pageIds.at(-1)!;
    }
  }

  it('paging forward from a cursor yields every trade exactly once, matching truth', async () => {
    const start = fx.clock.now;
    const [first] = await okx.fetchTrades('ETH/USDT:USDT', undefined, 1);
    const seen: string[] = [first.id!];
    for (let step = 0; step < 5; step++) {
      fx.clock.now += 7_000; // 140 trades at 20/s: more than one page per poll
      seen.push(...(await pollForward('ETH/USDT:USDT', seen.at(-1)!)));
    }
    const truth = await fx.truth<TruthTrade>({ exchange: 'okx', type: 'trades', symbol: 'ETH-USDT-SWAP', from: first.timestamp!, to: fx.clock.now });
    assert.ok(truth.length > 600);
    assert.equal(new Set(seen).size, seen.length);
    assert.deepEqual(seen, truth.map((t) => t.id));
    assert.ok(fx.clock.now > start);
  });

  it('history is bounded: after a long pause the oldest fetchable trade is past the cursor (a back-fill gap)', async () => {
    const [last] = await okx.fetchTrades('BTC/USDT', undefined, 1);
    fx.clock.now += 60_000; // 1200 trades at 20/s; the fixture's okx serves the last 20 s (real okx: 3 months)
    const resumed = await pollForward('BTC/USDT', last.id!);
    const kept = await fx.truth<TruthTrade>({ exchange: 'okx', type: 'trades', symbol: 'BTC/USDT', from: fx.clock.now - HISTORY_MS, to: fx.clock.now });
    assert.ok(kept.length > 350, `about 400 trades kept (${kept.length})`);
    assert.deepEqual(resumed, kept.map((t) => t.id));
    assert.ok(Number(resumed[0]) > Number(last.id) + 1, 'the trades right after the cursor are gone');
  });
});
