import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import ccxt, { type Exchange } from 'ccxt';
import { startFixture, T0, type SimFixture, type TruthTrade } from './fixture';

describe('bybit simulator through ccxt', () => {
  let fx: SimFixture;
  let bybit: Exchange;
  before(async () => {
    fx = await startFixture();
    bybit = fx.exchange('bybit');
    await bybit.loadMarkets();
  });
  after(() => fx.close());

  it('loadMarkets lists spot and linear instruments that share native ids', () => {
    assert.deepEqual(Object.keys(bybit.markets ?? {}).sort(), ['BTC/USDT', 'BTC/USDT:USDT', 'ETH/USDT', 'ETH/USDT:USDT']);
    assert.equal(bybit.market('BTC/USDT').id, bybit.market('BTC/USDT:USDT').id);
  });

  it('fetchTrades equals ground truth for spot and linear separately', async () => {
    for (const symbol of ['BTC/USDT', 'BTC/USDT:USDT']) {
      const trades = await bybit.fetchTrades(symbol, undefined, 30);
      const truth = await fx.truth<TruthTrade>({ exchange: 'bybit', type: 'trades', symbol, from: T0 - 30_000, to: T0 });
      assert.deepEqual(trades.map((t) => [t.id, t.timestamp, t.price, t.amount, t.side]), truth.slice(-30).map((t) => [t.id, t.timestamp, t.price, t.amount, t.side]));
    }
    const ambiguous = await fetch(`${fx.sim.url}/_admin/truth?exchange=bybit&type=trades&symbol=BTCUSDT`);
    assert.equal(ambiguous.status, 400);
  });

  it('order book, ticker, funding rate, open interest and account ratio equal ground truth', async () => {
    const book = await bybit.fetchOrderBook('ETH/USDT', 5);
    const [b] = await fx.truth<{ bids: number[][]; asks: number[][] }>({ exchange: 'bybit', type: 'orderbook', symbol: 'ETH/USDT', from: book.timestamp!, to: book.timestamp! });
    assert.deepEqual([book.bids, book.asks], [b.bids, b.asks]);
    const ticker = await bybit.fetchTicker('BTC/USDT:USDT');
    const [t] = await fx.truth<Record<string, number>>({ exchange: 'bybit', type: 'ticker', symbol: 'BTC/USDT:USDT', from: T0, to: T0 });
    assert.deepEqual([ticker.last, ticker.bid, ticker.ask, ticker.open, ticker.baseVolume], [t.last, t.bid, t.ask, t.open, t.baseVolume]);
    const funding = await bybit.fetchFundingRate('ETH/USDT:USDT');
    const fr = await fx.truth<Record<string, number>>({ exchange: 'bybit', type: 'funding_rate', symbol: 'ETH/USDT:USDT', from: T0, to: T0 });
    assert.deepEqual([funding.fundingRate, funding.fundingTimestamp], [fr.at(-1)!.fundingRate, fr.at(-1)!.fundingTime]);
    const oi = await bybit.fetchOpenInterest('BTC/USDT:USDT');
    const [o] = await fx.truth<Record<string, number>>({ exchange: 'bybit', type: 'open_interest', symbol: 'BTC/USDT:USDT', from: oi.timestamp!, to: oi.timestamp! });
    assert.equal(oi.openInterestAmount, o.contracts);
    const lsr = await bybit.fetchLongShortRatioHistory('BTC/USDT:USDT', '5min', undefined, 3);
    const truth = await fx.truth<Record<string, number>>({ exchange: 'bybit', type: 'lsr_all_account', symbol: 'BTC/USDT:USDT', period: '5m', from: T0 - 10 * 60_000, to: T0 });
    assert.deepEqual(lsr.map((r) => r.timestamp).sort(), truth.map((r) => r.timestamp));
    for (const r of lsr) {
      const expected = truth.find((x) => x.timestamp === r.timestamp)!;
      assert.ok(Math.abs(r.longShortRatio! - expected.longAccount / expected.shortAccount) < 1e-9);
    }
  });

  it('errors: unknown symbol → BadSymbol, 429 → RateLimitExceeded', async () => {
    await assert.rejects(bybit.publicGetV5MarketRecentTrade({ category: 'spot', symbol: 'DOGEEUR' }), ccxt.BadSymbol);
    await fx.admin('POST', '/_admin/faults', { exchange: 'bybit', mode: 'rate_limit' });
    await assert.rejects(bybit.fetchTicker('BTC/USDT'), ccxt.RateLimitExceeded);
    await fx.admin('POST', '/_admin/reset');
  });
});
