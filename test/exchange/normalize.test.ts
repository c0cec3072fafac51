import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FundingRate, MarketInterface as Market, OpenInterest, OrderBook, Ticker, Trade } from 'ccxt';
import { normalizeFundingRate } from '../../src/exchange/normalize/funding-rate';
import { normalizeLongShortRatio } from '../../src/exchange/normalize/long-short-ratio';
import { normalizeOpenInterest } from '../../src/exchange/normalize/open-interest';
import { normalizeOrderBook } from '../../src/exchange/normalize/orderbook';
import { normalizeTicker } from '../../src/exchange/normalize/ticker';
import { normalizeTrade } from '../../src/exchange/normalize/trades';
import { normalizeVolatility } from '../../src/exchange/normalize/volatility-index';

/** The normalizers are plain mappers: canonical rows from good items, rejections (with the raw payload) from bad ones. */
const market = { symbol: 'BTC/USDT:USDT', id: 'BTC-USDT-SWAP', type: 'swap', contract: true, linear: true, inverse: false, contractSize: 0.01 } as unknown as Market;
const T = 1_795_600_000_000;
const RECEIVED = T + 50;

function trade(over: Partial<Trade>): Trade {
  return { id: '42', timestamp: T, price: 61_000.5, amount: 3, side: 'buy', info: { raw: 'trade' }, ...over } as Trade;
}

describe('normalizers', () => {
  it('map a good trade to the canonical row, numbers as numbers', () => {
    const result = normalizeTrade('okx', market, trade({ price: '61000.5' as unknown as number }), RECEIVED);
    assert.deepEqual(result, {
      ok: true,
      row: { exchange: 'okx', marketType: 'swap', symbol: 'BTC/USDT:USDT', nativeSymbol: 'BTC-USDT-SWAP', eventTime: T, receiveTime: RECEIVED, tradeId: '42', price: 61_000.5, amount: 3, side: 'buy', contractSize: 0.01, baseAmount: 0.03, quoteAmount: 1_830.015 },
    });
  });

  for (const [what, bad, reason] of [
    ['NaN price', { price: NaN }, /price is .*not a finite number/],
    ['missing amount', { amount: undefined }, /amount is undefined/],
    ['a text amount', { amount: 'abc' as unknown as number }, /amount is "abc"/],
    ['no id', { id: undefined as unknown as string }, /id is missing/],
    ['an unknown side', { side: 'long' as unknown as 'buy' }, /side is "long"/],
    ['no timestamp', { timestamp: undefined }, /timestamp is undefined/],
  ] as const) {
    it(`reject a trade with ${what}, keeping the raw payload`, () => {
      const result = normalizeTrade('okx', market, trade(bad as Partial<Trade>), RECEIVED);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.match(result.rejected.reason, reason);
      assert.deepEqual(result.rejected.raw, { raw: 'trade' });
    });
  }

  it('keep top-N book levels and reject a NaN level instead of storing zeros', () => {
    const book = { bids: [[100, 1], [99, 2], [98, 3]], asks: [[101, 1], [102, 2]], timestamp: T } as unknown as OrderBook;
    const good = normalizeOrderBook('okx', market, book, 2, RECEIVED);
    assert.ok(good.ok);
    if (good.ok) assert.deepEqual([good.row.bids, good.row.asks, good.row.depth, good.row.eventTime], [[[100, 1], [99, 2]], [[101, 1], [102, 2]], 2, T]);
    const bad = normalizeOrderBook('okx', market, { ...book, asks: [[101, NaN]] } as unknown as OrderBook, 2, RECEIVED);
    assert.equal(bad.ok, false);
    const timeless = normalizeOrderBook('binance', market, { ...book, timestamp: undefined } as unknown as OrderBook, 2, RECEIVED);
    assert.ok(timeless.ok && timeless.row.eventTime === RECEIVED, 'a book without exchange time takes its receive time');
  });

  it('read an exchange time ccxt did not lift, and keep absent optional values null', () => {
    const rate = { fundingRate: 0.0001, fundingTimestamp: T + 3_600_000, info: { ts: String(T) } } as unknown as FundingRate;
    const result = normalizeFundingRate('okx', market, rate, RECEIVED);
    assert.ok(result.ok);
    if (result.ok) assert.deepEqual([result.row.eventTime, result.row.fundingTime, result.row.markPrice, result.row.indexPrice], [T, T + 3_600_000, null, null]);
    const bad = normalizeFundingRate('okx', market, { ...rate, fundingRate: undefined } as unknown as FundingRate, RECEIVED);
    assert.ok(!bad.ok && /fundingRate/.test(bad.rejected.reason));
  });

  it('keep a ticker without a last trade (ccxt #626) with last null and its bid and ask; reject one with no price at all', () => {
    const option = normalizeTicker('deribit', market, { timestamp: T, bid: 0.0105, ask: 0.012, last: undefined, info: { last_price: null } } as unknown as Ticker, RECEIVED);
    assert.ok(option.ok);
    if (option.ok) assert.deepEqual([option.row.last, option.row.bid, option.row.ask, option.row.baseVolume], [null, 0.0105, 0.012, null]);
    const empty = normalizeTicker('okx', market, { timestamp: T, baseVolume: 5, info: { last: '' } } as unknown as Ticker, RECEIVED);
    assert.ok(!empty.ok && /no last, bid or ask/.test(empty.rejected.reason));
  });

  it('store no next funding time as null, never 0', () => {
    const result = normalizeFundingRate('deribit', market, { fundingRate: 0.00002, timestamp: T, info: {} } as unknown as FundingRate, RECEIVED);
    assert.ok(result.ok && result.row.fundingTime === null);
  });

  it('reject a trade whose time is in nanoseconds (ccxt #24009), keeping the raw item', () => {
    const result = normalizeTrade('binance', market, trade({ timestamp: T * 1_000_000, info: { a: 7, T: T * 1_000_000 } as never }), RECEIVED);
    assert.ok(!result.ok);
    if (!result.ok) {
      assert.match(result.rejected.reason, /^eventTime = \d+: not an epoch-ms time \(nanoseconds\?\)/);
      assert.deepEqual(result.rejected.raw, { a: 7, T: T * 1_000_000 });
    }
  });

  it('reject open interest with neither amount nor value, a ratio or volatility that is not a number', () => {
    const oi = normalizeOpenInterest('okx', market, { timestamp: T, info: {} } as unknown as OpenInterest, RECEIVED);
    assert.ok(!oi.ok && /both missing/.test(oi.rejected.reason));
    const ratio = normalizeLongShortRatio('binanceusdm', market, { timestamp: T, longShortRatio: NaN, info: { longAccount: '0.6' } } as never, '5m', RECEIVED);
    assert.ok(!ratio.ok && /longShortRatio/.test(ratio.rejected.reason));
    const goodRatio = normalizeLongShortRatio('binanceusdm', market, { timestamp: T, longShortRatio: 1.5, info: { longAccount: '0.6', shortAccount: '0.4' } } as never, '5m', RECEIVED);
    assert.ok(goodRatio.ok && goodRatio.row.longAccount === 0.6 && goodRatio.row.shortAccount === 0.4 && goodRatio.row.period === '5m');
    const vol = normalizeVolatility('deribit', 'BTC', { timestamp: T, volatility: 'x', info: 'x' }, '3600', RECEIVED);
    assert.ok(!vol.ok && /volatility/.test(vol.rejected.reason));
  });
});
