import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Liquidation, MarketInterface as Market } from 'ccxt';
import { normalizeLiquidation } from '../../src/exchange/normalize/liquidations';

/** Liquidations: what deribit's settlements lack is NULL; what is present must be well-formed, else the item is rejected. */
const market = { symbol: 'BTC/USD:BTC', id: 'BTC-PERPETUAL', type: 'swap', contract: true } as unknown as Market;
const T = 1_795_600_000_041;
const RECEIVED = T + 50;

/** As ccxt's deribit parseLiquidation returns a bankruptcy settlement. */
function settlement(over: Record<string, unknown> = {}): Liquidation {
  const info = { type: 'bankruptcy', timestamp: T, session_bankrupcy: 0.00123, funded: 0.00123, socialized: 0 };
  return { info, symbol: 'BTC/USD:BTC', contracts: undefined, contractSize: 10, price: undefined, baseValue: 0.00123, quoteValue: undefined, timestamp: T, datetime: '', ...over } as unknown as Liquidation;
}

describe('liquidation normalizer', () => {
  it('stores a deribit settlement with NULL side, price and contracts, its base-currency size, and a derived id', () => {
    const result = normalizeLiquidation('deribit', market, settlement(), RECEIVED);
    assert.ok(result.ok, JSON.stringify(result));
    const { liquidationId, ...row } = result.row;
    assert.deepEqual(row, {
      exchange: 'deribit', marketType: 'swap', symbol: 'BTC/USD:BTC', nativeSymbol: 'BTC-PERPETUAL', eventTime: T, receiveTime: RECEIVED,
      side: null, price: null, amount: null, baseValue: 0.00123,
    });
    assert.match(liquidationId, /^[0-9a-f]{24}$/);
  });

  it('derives the same id for the same settlement polled twice, another for another time or size, and ignores the continuation token', () => {
    const id = (over: Record<string, unknown> = {}, received = RECEIVED): string => {
      const r = normalizeLiquidation('deribit', market, settlement(over), received);
      assert.ok(r.ok);
      return r.row.liquidationId;
    };
    const first = id();
    assert.equal(id({}, RECEIVED + 60_000), first, 'the receive time is not part of the key');
    assert.equal(id({ info: { ...settlement().info, continuation: 'bGlxOjQy' } }), first, 'ccxt puts continuation tokens on some items');
    assert.notEqual(id({ timestamp: T + 1 }), first);
    assert.notEqual(id({ baseValue: 0.00124 }), first);
  });

  it('keeps an exchange id, side, price and contracts where they are given', () => {
    const result = normalizeLiquidation('someex', market, settlement({ info: { id: 987 }, side: 'sell', price: '61000.5', contracts: 12, baseValue: undefined }), RECEIVED);
    assert.ok(result.ok);
    assert.deepEqual([result.row.side, result.row.price, result.row.amount, result.row.baseValue, result.row.liquidationId], ['sell', 61_000.5, 12, null, '987']);
  });

  for (const [what, bad, reason] of [
    ['no timestamp', { timestamp: undefined }, /timestamp is undefined/],
    ['a NaN base value', { baseValue: NaN }, /baseValue is .*not a finite number/],
    ['a text price', { price: 'abc' }, /price is "abc"/],
    ['an unknown side', { side: 'long' }, /side is "long"/],
    ['a side of the wrong type', { side: 1 }, /side is 1/],
    ['a boolean for contracts', { contracts: true }, /contracts is true/],
    ['no size at all', { baseValue: undefined }, /neither contracts nor baseValue/],
  ] as const) {
    it(`rejects a liquidation with ${what}, keeping the raw payload (never stored as zeros)`, () => {
      const result = normalizeLiquidation('deribit', market, settlement(bad), RECEIVED);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.match(result.rejected.reason, reason);
      assert.deepEqual(result.rejected.raw, settlement().info);
    });
  }
});
