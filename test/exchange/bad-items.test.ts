import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MarketInterface as Market, Trade } from 'ccxt';
import type { Cursors } from '../../src/domain/cursor';
import { TRADES } from '../../src/exchange/data-types/trades';
import { fetchActivity } from '../../src/exchange/fetch-loop';
import { rowsIn } from '../support/fetch-results';
import { fakeTradesExchange } from '../support/fake-exchange';

/**
 * Issue D: one bad item never poisons a batch. A trade whose time is in nanoseconds (ccxt #24009) is quarantined
 * on its own; the valid trades of its page are kept, its place in the sequence is not read as a gap, and it is
 * quarantined once, not on every poll.
 */
const T = Date.UTC(2025, 0, 15, 12, 0, 0);
const SPOT = { symbol: 'BTC/USDT', id: 'BTCUSDT', type: 'spot', spot: true } as unknown as Market;
const PERP = { symbol: 'BTC/USD:BTC', id: 'BTC-PERPETUAL', type: 'swap', swap: true, contract: true } as unknown as Market;
const ns = (ms: number): number => ms * 1_000_000;

/** binance aggregate trades from `fromId` on, as the exchange serves them (ids 100..102, 101 with a time in ns). */
function binanceWith(bad: number) {
  const all = [100, 101, 102].map((id) => ({ id: String(id), timestamp: id === bad ? ns(T + id) : T + id, info: { a: id } }));
  return fakeTradesExchange('binance', SPOT, ({ params }) => all.filter((t) => Number(t.id) >= Number(params.fromId ?? 0)) as Array<Partial<Trade>>);
}

describe('a nanosecond timestamp among valid trades', () => {
  const cursors: Cursors = { 'BTC/USDT': { lastTime: T + 99, idsAtLastTime: ['99'], lastId: '99' } };

  it('binance: the valid trades are kept, the bad one quarantined with its raw item, no gap, and not fetched again', async () => {
    const { pool, calls } = binanceWith(101);
    const fetch = fetchActivity(pool, TRADES);
    const result = await fetch({ exchange: 'binance', symbols: ['BTC/USDT'], cursors });
    assert.deepEqual(rowsIn(result, 'trades').map((r) => r.tradeId), ['100', '102']);
    const [quarantined, ...more] = rowsIn(result, 'quarantine');
    assert.equal(more.length, 0);
    assert.match(quarantined.reason, /eventTime = \d+: not an epoch-ms time \(nanoseconds\?\)/);
    assert.deepEqual(JSON.parse(quarantined.raw), { a: 101 });
    assert.deepEqual(rowsIn(result, 'collection_gaps'), [], 'id 101 was served: it is in the quarantine, not a gap');
    const next = await fetch({ exchange: 'binance', symbols: ['BTC/USDT'], cursors: result.cursors });
    assert.equal(calls[1].params.fromId, '103');
    assert.deepEqual(next.batches, []);
  });

  it('binance: a bad trade at the end of the stream moves the cursor past it, so the next poll does not quarantine it again', async () => {
    const { pool, calls } = binanceWith(102);
    const fetch = fetchActivity(pool, TRADES);
    const result = await fetch({ exchange: 'binance', symbols: ['BTC/USDT'], cursors });
    assert.deepEqual(rowsIn(result, 'trades').map((r) => r.tradeId), ['100', '101']);
    assert.equal(rowsIn(result, 'quarantine').length, 1);
    assert.equal(result.cursors['BTC/USDT'].lastId, '102');
    const next = await fetch({ exchange: 'binance', symbols: ['BTC/USDT'], cursors: result.cursors });
    assert.equal(calls[1].params.fromId, '103');
    assert.deepEqual(rowsIn(next, 'quarantine'), []);
  });

  it('binance: a batch cut by maxRows leaves the bad trade beyond it for the next fetch, which quarantines it once', async () => {
    const { pool } = binanceWith(101);
    const fetch = fetchActivity(pool, TRADES);
    const first = await fetch({ exchange: 'binance', symbols: ['BTC/USDT'], cursors, maxRows: 1 });
    assert.deepEqual(rowsIn(first, 'trades').map((r) => r.tradeId), ['100']);
    assert.deepEqual(rowsIn(first, 'quarantine'), [], 'not yet: the cursor stopped before it');
    assert.equal(first.caughtUp, false);
    const second = await fetch({ exchange: 'binance', symbols: ['BTC/USDT'], cursors: first.cursors, maxRows: 1 });
    assert.deepEqual(rowsIn(second, 'trades').map((r) => r.tradeId), ['102']);
    assert.equal(rowsIn(second, 'quarantine').length, 1);
    assert.deepEqual(rowsIn(second, 'collection_gaps'), []);
  });

  it('deribit (paged by time, gaps on trade_seq): the bad trade keeps its place in the sequence', async () => {
    const trades = [500, 501, 502].map((seq) => ({ id: String(195402220 + (seq - 500) * 5), timestamp: seq === 501 ? ns(T + seq) : T + seq, info: { trade_seq: seq } }));
    const { pool } = fakeTradesExchange('deribit', PERP, () => trades);
    const result = await fetchActivity(pool, TRADES)({ exchange: 'deribit', symbols: ['BTC/USD:BTC'], cursors: { 'BTC/USD:BTC': { lastTime: T + 499, idsAtLastTime: ['195402215'], lastSeq: '499' } } });
    assert.deepEqual(rowsIn(result, 'trades').map((r) => r.tradeId), ['195402220', '195402230']);
    assert.equal(rowsIn(result, 'quarantine').length, 1);
    assert.deepEqual(rowsIn(result, 'collection_gaps'), [], 'trade_seq 501 was served, not lost');
    assert.equal(result.cursors['BTC/USD:BTC'].lastSeq, '502');
  });
});
