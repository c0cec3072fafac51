import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSymbolSelector, parseSymbolSelector, selectsMarket, SymbolSelectorError, type SelectableMarket } from '../../src/domain/symbol-selector';

const markets: SelectableMarket[] = [
  { symbol: 'BTC/USDT', type: 'spot', quote: 'USDT' },
  { symbol: 'BTC/USDT:USDT', type: 'swap', quote: 'USDT', settle: 'USDT', linear: true, inverse: false },
  { symbol: 'BTC/USD:BTC', type: 'swap', quote: 'USD', settle: 'BTC', linear: false, inverse: true },
  { symbol: 'ETH/USDC:USDC', type: 'swap', quote: 'USDC', settle: 'USDC', linear: true, inverse: false },
  { symbol: 'OLD/USDT:USDT', type: 'swap', quote: 'USDT', settle: 'USDT', linear: true, inverse: false, active: false },
];
const taken = (text: string): string[] => markets.filter((m) => selectsMarket(parseSymbolSelector(text), m)).map((m) => m.symbol);

describe('symbol selectors', () => {
  it('tells selectors from symbol lists', () => {
    assert.equal(isSymbolSelector('all'), true);
    assert.equal(isSymbolSelector('all:swap'), true);
    assert.equal(isSymbolSelector('ALL'), false);
    assert.equal(isSymbolSelector('BTC/USDT,all'), false);
  });

  it('filters by type, contract kind and currency; never an inactive market', () => {
    assert.deepEqual(taken('all'), ['BTC/USDT', 'BTC/USDT:USDT', 'BTC/USD:BTC', 'ETH/USDC:USDC']);
    assert.deepEqual(taken('all:swap'), ['BTC/USDT:USDT', 'BTC/USD:BTC', 'ETH/USDC:USDC']);
    assert.deepEqual(taken('all:USDT'), ['BTC/USDT', 'BTC/USDT:USDT']);
    assert.deepEqual(taken('all:swap:USDT'), ['BTC/USDT:USDT']);
    assert.deepEqual(taken('all:inverse'), ['BTC/USD:BTC']);
    assert.deepEqual(taken('all:BTC'), ['BTC/USD:BTC'], 'settled in BTC');
    assert.deepEqual(taken('all:spot:swap:USDC'), ['ETH/USDC:USDC'], 'filters of one kind are alternatives');
  });

  it('refuses an unknown filter with one line saying what is allowed', () => {
    assert.throws(() => parseSymbolSelector('all:perp'), (err: Error) => err instanceof SymbolSelectorError && /'perp' in 'all:perp' is neither a market type \(spot, swap, future, option\)/.test(err.message) && !err.message.includes('\n'));
    assert.throws(() => parseSymbolSelector('all:'), SymbolSelectorError);
    assert.throws(() => parseSymbolSelector('every'), /is not a symbol selector/);
  });
});
