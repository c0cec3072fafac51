import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load';
import { collectorInput, collectorWorkflowId } from '../../src/client/collectors';

/** Issue E: the options that change what is stored are part of a collector's identity, in a readable, stable form. */
describe('collector workflow ids', () => {
  const okxBook = { exchange: 'okx', dataType: 'orderbook' as const, symbols: ['BTC/USDT'] };

  it('keep the id of a collector without such options, so running collectors are still found', () => {
    assert.equal(collectorWorkflowId({ exchange: 'okx', dataType: 'trades', symbols: ['ETH/USDT:USDT', 'BTC/USDT:USDT'] }), 'collect/okx/trades/BTC-USDT-USDT+ETH-USDT-USDT');
    assert.equal(collectorWorkflowId(okxBook), 'collect/okx/orderbook/BTC-USDT');
    assert.equal(collectorWorkflowId({ ...okxBook, options: { depth: 10 } }), 'collect/okx/orderbook/BTC-USDT', 'the default depth names the same collector');
    assert.equal(collectorWorkflowId({ exchange: 'okx', dataType: 'trades', symbols: ['BTC/USDT'], options: { depth: 400, period: '1h' } }), 'collect/okx/trades/BTC-USDT', 'options a type ignores');
  });

  it('name depth, period and resolution where they differ from the default', () => {
    assert.equal(collectorWorkflowId({ ...okxBook, options: { depth: 400 } }), 'collect/okx/orderbook/BTC-USDT@depth=400');
    const lsr = { exchange: 'binanceusdm', dataType: 'lsr_all_account' as const, symbols: ['BTC/USDT:USDT'] };
    assert.notEqual(collectorWorkflowId({ ...lsr, options: { period: '5m' } }), collectorWorkflowId({ ...lsr, options: { period: '1h' } }));
    assert.equal(collectorWorkflowId({ ...lsr, options: { period: '1h' } }), 'collect/binanceusdm/lsr_all_account/BTC-USDT-USDT@period=1h');
    assert.equal(collectorWorkflowId({ exchange: 'deribit', dataType: 'volatility_index', symbols: ['BTC'], options: { resolution: 60 } }), 'collect/deribit/volatility_index/BTC@resolution=60');
  });

  it('hand a collector only the options its type reads, as its id names them', () => {
    const config = loadConfig();
    assert.deepEqual(collectorInput(config, { ...okxBook, intervalMs: 1_000, options: { depth: 400, period: '1h' } }).options, { depth: 400 });
    assert.equal(collectorInput(config, { ...okxBook, intervalMs: 1_000, options: { depth: 10 } }).options, undefined);
  });
});
