import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MarketInterface as Market, OpenInterest, Trade } from 'ccxt';
import { divide, multiply, sizesOf } from '../../src/domain/sizes';
import { openInterestRow } from '../../src/exchange/normalize/open-interest';
import { tradeRow } from '../../src/exchange/normalize/trades';

const market = (m: Partial<Market>): Market => ({ id: 'X', symbol: 'X', active: true, ...m }) as Market;
const OKX_ETH_SWAP = market({ id: 'ETH-USDT-SWAP', symbol: 'ETH/USDT:USDT', type: 'swap', contract: true, linear: true, inverse: false, contractSize: 0.1 });
const BINANCE_ETH_PERP = market({ id: 'ETHUSDT', symbol: 'ETH/USDT:USDT', type: 'swap', contract: true, linear: true, inverse: false, contractSize: 1 });
const DERIBIT_BTC_PERP = market({ id: 'BTC-PERPETUAL', symbol: 'BTC/USD:BTC', type: 'swap', contract: true, linear: false, inverse: true, contractSize: 10 });
const COINM_BTC_PERP = market({ id: 'BTCUSD_PERP', symbol: 'BTC/USD:BTC', type: 'swap', contract: true, linear: false, inverse: true, contractSize: 100 });
const OKX_BTC_SPOT = market({ id: 'BTC-USDT', symbol: 'BTC/USDT', type: 'spot', spot: true, contract: false });

const trade = (price: number, amount: number): Trade => ({ id: '1', timestamp: 1_700_000_000_000, price, amount, side: 'buy', info: {} }) as unknown as Trade;
const RECEIVED = 1_700_000_000_050;

describe('sizes (src/domain/sizes.ts): an amount in the exchange\'s unit, its contract size, base and quote amounts', () => {
  it('multiplies and divides in decimal, not in float', () => {
    assert.equal(multiply(0.1, 3), 0.3); // float: 0.30000000000000004
    assert.equal(multiply(0.07, 0.001), 0.00007); // float: 0.00007000000000000001
    assert.equal(multiply(3_000_181, 0.1), 300_018.1); // float: 300018.10000000003
    assert.equal(multiply(1e-8, 60_000), 0.0006);
    assert.equal(divide(2_000, 60_000.5), 0.033333055557870354);
    assert.equal(divide(-1, 3), -0.3333333333333333);
    assert.throws(() => divide(1, 0), RangeError);
  });

  it('puts okx open interest in contracts and binance USD-M open interest in coins on one scale (issue: mixed units)', () => {
    // avg amounts as issue 9 measured them: okx 3,000,181 contracts of 0.1 ETH vs binanceusdm 299,998 ETH
    const oi = (m: Market, amount: number) => openInterestRow(m === OKX_ETH_SWAP ? 'okx' : 'binanceusdm', m, { symbol: m.symbol, openInterestAmount: amount, timestamp: 1_700_000_000_000, info: {} } as OpenInterest, RECEIVED);
    const okx = oi(OKX_ETH_SWAP, 3_000_181);
    const binance = oi(BINANCE_ETH_PERP, 299_998);
    assert.deepEqual([okx.openInterestAmount, okx.contractSize, okx.baseAmount], [3_000_181, 0.1, 300_018.1]);
    assert.deepEqual([binance.openInterestAmount, binance.contractSize, binance.baseAmount], [299_998, 1, 299_998]);
    // deribit gives only a USD value for its inverse perpetuals; open interest has no price to convert it with
    const deribit = openInterestRow('deribit', DERIBIT_BTC_PERP, { symbol: DERIBIT_BTC_PERP.symbol, openInterestValue: 9_978_911_260, timestamp: 1_700_000_000_000, info: {} } as OpenInterest, RECEIVED);
    assert.deepEqual([deribit.openInterestAmount, deribit.openInterestValue, deribit.contractSize, deribit.baseAmount], [null, 9_978_911_260, 10, null]);
  });

  it('gives each trade its contract size, base and quote amounts, per the exchange\'s unit', () => {
    const sized = (exchange: string, m: Market, price: number, amount: number) => {
      const r = tradeRow(exchange, m, trade(price, amount), RECEIVED);
      return [r.amount, r.contractSize, r.baseAmount, r.quoteAmount];
    };
    assert.deepEqual(sized('okx', OKX_BTC_SPOT, 60_000.1, 0.05), [0.05, null, 0.05, 3_000.005]);
    // okx swaps count contracts (ctVal 0.1 ETH)
    assert.deepEqual(sized('okx', OKX_ETH_SWAP, 3_000.25, 7), [7, 0.1, 0.7, 2_100.175]);
    // deribit's inverse perpetuals state amounts in USD (venues/deribit.ts), multiples of the 10 USD contract
    assert.deepEqual(sized('deribit', DERIBIT_BTC_PERP, 60_000.5, 2_000), [2_000, 10, 0.033333055557870354, 2_000]);
    // binance COIN-M counts contracts of 100 USD (ccxt's convention for contract markets)
    assert.deepEqual(sized('binancecoinm', COINM_BTC_PERP, 50_000, 3), [3, 100, 0.006, 300]);
  });

  it('leaves a size it cannot know NULL: a quote-stated amount without a price has no base amount', () => {
    assert.deepEqual(sizesOf(2_000, 'quote', { contractSize: 10, inverse: true }, null), { contractSize: 10, baseAmount: null, quoteAmount: 2_000 });
    assert.deepEqual(sizesOf(5, 'contracts', { contractSize: 0.01, inverse: false }, null), { contractSize: 0.01, baseAmount: 0.05, quoteAmount: null });
    // contracts of a size ccxt does not give: neither currency is known
    assert.deepEqual(sizesOf(5, 'contracts', { contractSize: null, inverse: false }, 100), { contractSize: null, baseAmount: null, quoteAmount: null });
  });
});
