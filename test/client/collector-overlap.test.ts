import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OverlappingCollectorError, overlapsOf, type RunningCollector } from '../../src/client/collector-overlap';
import { effectiveOptions, seriesColumns, storedSymbol } from '../../src/exchange/data-types/collector-rows';
import { BadIdentifierError, plainLiteral } from '../../src/storage/identifiers';
import { cursorKeyColumn } from '../../src/storage/stored-cursors';

/** Which collectors overlap, and which stored rows are a collector's (pure: no stack). */
describe('collector overlap and stored rows (src/client/collector-overlap.ts, src/exchange/data-types/collector-rows.ts)', () => {
  const running: RunningCollector[] = [
    { workflowId: 'a', exchange: 'okx', dataType: 'trades', symbols: ['BTC/USDT', 'ETH/USDT'] },
    { workflowId: 'b', exchange: 'okx', dataType: 'orderbook', symbols: ['BTC/USDT'], options: { depth: 20 } },
    { workflowId: 'c', exchange: 'okx', dataType: 'orderbook', symbols: ['ETH/USDT'] },
    { workflowId: 'd', exchange: 'binance', dataType: 'trades', symbols: ['BTC/USDT'] },
  ];

  it('overlaps on exchange, data type, shared symbols and the options the type reads', () => {
    assert.deepEqual(overlapsOf({ exchange: 'okx', dataType: 'trades', symbols: ['ETH/USDT', 'SOL/USDT'] }, running), [{ workflowId: 'a', symbols: ['ETH/USDT'] }]);
    // options a type does not read make no difference
    assert.deepEqual(overlapsOf({ exchange: 'okx', dataType: 'trades', symbols: ['BTC/USDT'], options: { depth: 5 } }, running).map((o) => o.workflowId), ['a']);
    assert.deepEqual(overlapsOf({ exchange: 'okx', dataType: 'trades', symbols: ['SOL/USDT'] }, running), []);
    // depth 10 is the default depth: it overlaps c, not b (depth 20)
    assert.deepEqual(overlapsOf({ exchange: 'okx', dataType: 'orderbook', symbols: ['BTC/USDT', 'ETH/USDT'], options: { depth: 10 } }, running), [{ workflowId: 'c', symbols: ['ETH/USDT'] }]);
    assert.deepEqual(overlapsOf({ exchange: 'okx', dataType: 'orderbook', symbols: ['BTC/USDT'], options: { depth: 20 } }, running), [{ workflowId: 'b', symbols: ['BTC/USDT'] }]);
    assert.deepEqual(overlapsOf({ exchange: 'okx', dataType: 'ticker', symbols: ['BTC/USDT'] }, running), []);
  });

  it('names the running collector and the shared symbols in one line', () => {
    const err = new OverlappingCollectorError({ exchange: 'okx', dataType: 'trades', symbols: ['ETH/USDT'] }, [{ workflowId: 'a', symbols: ['ETH/USDT'] }]);
    assert.match(err.message, /^okx trades for ETH\/USDT overlaps running collector a \(on ETH\/USDT\): .*stop it first \(`marketprism collect stop a`\) or leave out ETH\/USDT$/);
    assert.equal(err.message.split('\n').length, 1);
  });

  it('fills in the defaults of the options a type reads, and maps a collector to its stored rows', () => {
    assert.deepEqual(effectiveOptions('orderbook'), { depth: 10 });
    assert.deepEqual(effectiveOptions('lsr_top_position', { depth: 3 }), { period: '5m' });
    assert.deepEqual(effectiveOptions('trades', { period: '1h' }), {});
    assert.deepEqual(seriesColumns('lsr_all_account', { period: '1h' }), { period: '1h' });
    assert.deepEqual(seriesColumns('volatility_index'), { resolution: '3600' });
    assert.deepEqual(seriesColumns('orderbook', { depth: 5 }), {}, 'depth is not part of the natural key');
    assert.equal(storedSymbol('volatility_index', 'BTC/USD:BTC'), 'BTC');
    assert.equal(storedSymbol('volatility_index', 'ETH'), 'ETH');
    assert.equal(storedSymbol('trades', 'BTC/USD:BTC'), 'BTC/USD:BTC');
    assert.equal(cursorKeyColumn('trades'), 'trade_id');
    assert.equal(cursorKeyColumn('liquidations'), 'liquidation_id');
    assert.equal(cursorKeyColumn('lsr_top_position'), 'event_time');
  });

  it('lets only plain values into SQL text', () => {
    assert.equal(plainLiteral('BTC/USD:BTC-240329-60000-C', 'symbol'), "'BTC/USD:BTC-240329-60000-C'");
    assert.throws(() => plainLiteral("BTC' OR 1=1 --", 'symbol'), BadIdentifierError);
    assert.throws(() => plainLiteral('', 'symbol'), /symbol '' cannot be looked up/);
  });
});
