import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MarketInterface as Market, Trade } from 'ccxt';
import { advance, isFresh, lastIdOf, type Cursor } from '../../src/domain/cursor';
import { discontinuity, TRADES } from '../../src/exchange/data-types/trades';
import { fetchActivity } from '../../src/exchange/fetch-loop';
import { tradePaging } from '../../src/exchange/paging/trades';
import { rowsIn } from '../support/fetch-results';
import { fakeTradesExchange } from '../support/fake-exchange';

/**
 * Issue C: cursors and gap checks follow each exchange's real identifiers. The inputs quoted in the issue, run
 * through the real fetch loop, trade spec and venue quirks (the exchange is a hand-written fake, ccxt's trade
 * structures as ccxt returns them), and through the cursor and gap functions on their own.
 */
const T = Date.UTC(2025, 0, 15, 12, 0, 0);
const SPOT = { symbol: 'BTC/USDT', id: 'BTCUSDT', type: 'spot', spot: true } as unknown as Market;
const PERP = { symbol: 'BTC/USD:BTC', id: 'BTC-PERPETUAL', type: 'swap', swap: true, contract: true } as unknown as Market;

describe('binance aggregate trades: a higher id with an earlier time (ccxt #8329)', () => {
  // page 1: ids 100 and 101 at …2000; the page from id 102: 102 at …1500, 103 at …2500
  const page1 = [{ id: '100', timestamp: T + 2000 }, { id: '101', timestamp: T + 2000 }];
  const page2 = [{ id: '102', timestamp: T + 1500 }, { id: '103', timestamp: T + 2500 }];

  it('cursor functions: 102 is fresh after 100 and 101 by id, though earlier; the cursor records the last id', () => {
    const cursor = advance(undefined, page1.map((t) => ({ time: t.timestamp, key: t.id })), 'id')!;
    assert.deepEqual(cursor, { lastTime: T + 2000, idsAtLastTime: ['100', '101'], lastId: '101' });
    assert.equal(isFresh(cursor, { time: T + 1500, key: '102' }, 'id'), true, 'id 102 is new');
    assert.equal(isFresh(cursor, { time: T + 1500, key: '102' }, 'time'), false, 'by time it would be dropped: the bug');
    assert.equal(isFresh(cursor, { time: T + 2000, key: '101' }, 'id'), false, 'id 101 was taken');
    const next = advance(cursor, page2.map((t) => ({ time: t.timestamp, key: t.id })), 'id')!;
    assert.equal(next.lastId, '103');
    assert.equal(next.lastTime, T + 2500);
    const paging = { kind: 'from-id', forward: true, order: 'id', request: () => ({ limit: 1000, params: {} }) } as const;
    assert.equal(discontinuity(cursor, page2.map((t) => ({ time: t.timestamp, key: t.id, seq: t.id })), undefined, paging, 'id'), undefined, 'no gap: 102 follows 101');
  });

  it('the fetch loop stores 102 and 103, records no gap, and asks from id 102 then 104', async () => {
    const { pool, calls } = fakeTradesExchange('binance', SPOT, ({ params }) => (params.fromId === undefined ? page1 : params.fromId === '102' ? page2 : []) as Array<Partial<Trade>>);
    const fetch = fetchActivity(pool, TRADES);
    const first = await fetch({ exchange: 'binance', symbols: ['BTC/USDT'], cursors: {} });
    assert.deepEqual(rowsIn(first, 'trades').map((r) => r.tradeId), ['100', '101']);
    const second = await fetch({ exchange: 'binance', symbols: ['BTC/USDT'], cursors: first.cursors });
    assert.equal(calls[1].params.fromId, '102');
    assert.deepEqual(rowsIn(second, 'trades').map((r) => [r.tradeId, r.eventTime]), [['102', T + 1500], ['103', T + 2500]], 'no trade lost, in id order');
    assert.deepEqual(rowsIn(second, 'collection_gaps'), [], 'no false gap "ids 102..102"');
    assert.equal(second.cursors['BTC/USDT'].lastId, '103');
    await fetch({ exchange: 'binance', symbols: ['BTC/USDT'], cursors: second.cursors });
    assert.equal(calls[2].params.fromId, '104');
  });

  it('a cursor written before lastId existed ({lastTime, idsAtLastTime}, carried through continue-as-new) still works', async () => {
    const old: Cursor = { lastTime: T + 2000, idsAtLastTime: ['100', '101'] };
    assert.equal(lastIdOf(old), '101');
    const { pool, calls } = fakeTradesExchange('binance', SPOT, ({ params }) => (params.fromId === '102' ? page2 : []) as Array<Partial<Trade>>);
    const result = await fetchActivity(pool, TRADES)({ exchange: 'binance', symbols: ['BTC/USDT'], cursors: { 'BTC/USDT': old } });
    assert.equal(calls[0].params.fromId, '102');
    assert.deepEqual(rowsIn(result, 'trades').map((r) => r.tradeId), ['102', '103']);
    assert.deepEqual(rowsIn(result, 'collection_gaps'), []);
  });

  it('a real hole in the ids is still a gap', async () => {
    const { pool } = fakeTradesExchange('binance', SPOT, () => [{ id: '105', timestamp: T + 2600 }]);
    const result = await fetchActivity(pool, TRADES)({ exchange: 'binance', symbols: ['BTC/USDT'], cursors: { 'BTC/USDT': { lastTime: T + 2500, idsAtLastTime: ['103'], lastId: '103' } } });
    assert.match(rowsIn(result, 'collection_gaps')[0]?.reason ?? '', /1 trades \(ids 104\.\.104\) are no longer served/);
  });

  it('binance, binanceusdm and okx are cursored by id; deribit and the unified default by time', () => {
    for (const [id, order] of [['binance', 'id'], ['binanceusdm', 'id'], ['okx', 'id'], ['deribit', 'time'], ['kraken', 'time']] as const) {
      assert.equal(tradePaging({ id, has: { fetchTrades: true } } as never).order, order, id);
    }
  });
});

describe('deribit: trade_id is unique per currency, trade_seq is the per-instrument sequence', () => {
  // BTC-PERPETUAL trades with seq 500, 501, 502 and ids 195402220, 195402224, 195402231
  const trade = (seq: number, id: string, offset: number): Partial<Trade> => ({ id, timestamp: T + offset, info: { trade_seq: seq, trade_id: id } });
  const trades = [trade(500, '195402220', 0), trade(501, '195402224', 10), trade(502, '195402231', 20)];

  it('gap functions: no gap over trade_seq 500 → 501, 502 whatever the ids; a jump in trade_seq is one', () => {
    const paging = { kind: 'since', forward: true, order: 'time', request: () => ({ limit: 1000, params: {} }) } as const;
    const sequence = { name: 'trade_seq', read: (t: Trade) => (t.info as { trade_seq: number }).trade_seq };
    const cursor: Cursor = { lastTime: T, idsAtLastTime: ['195402220'], lastSeq: '500' };
    const fresh = [{ time: T + 10, key: '195402224', seq: '501' }, { time: T + 20, key: '195402231', seq: '502' }];
    assert.equal(discontinuity(cursor, fresh, undefined, paging, sequence), undefined);
    assert.match(discontinuity(cursor, [{ time: T + 30, key: '195402240', seq: '503' }], undefined, paging, sequence) ?? '', /^2 trades \(trade_seq 501\.\.502\) are no longer served/);
    // checked on trade ids instead (what happened before), the same page raises the false gap the issue quotes
    const byId = discontinuity({ lastTime: T, idsAtLastTime: ['195402220'] }, fresh.map((f) => ({ ...f, seq: f.key })), undefined, paging, 'id');
    assert.match(byId ?? '', /^3 trades \(ids 195402221\.\.195402223\)/);
  });

  it('the fetch loop stores 501 and 502 after 500 with no gap, and the cursor records trade_seq 502', async () => {
    const { pool, calls } = fakeTradesExchange('deribit', PERP, ({ since }) => (since === undefined ? trades.slice(0, 1) : trades.filter((t) => (t.timestamp as number) >= since)));
    const fetch = fetchActivity(pool, TRADES);
    const first = await fetch({ exchange: 'deribit', symbols: ['BTC/USD:BTC'], cursors: {} });
    assert.equal(first.cursors['BTC/USD:BTC'].lastSeq, '500');
    const second = await fetch({ exchange: 'deribit', symbols: ['BTC/USD:BTC'], cursors: first.cursors });
    assert.equal(calls[1].since, T, 'paged by time (since), inclusive');
    assert.deepEqual(rowsIn(second, 'trades').map((r) => r.tradeId), ['195402224', '195402231'], 'trade_id stays the stored key');
    assert.deepEqual(rowsIn(second, 'collection_gaps'), [], 'no gap and no alert for ids 195402221..195402223');
    assert.equal(second.cursors['BTC/USD:BTC'].lastSeq, '502');
  });

  it('a deribit cursor without lastSeq (written before it existed) raises no gap on its next fetch', async () => {
    const { pool } = fakeTradesExchange('deribit', PERP, () => trades);
    const result = await fetchActivity(pool, TRADES)({ exchange: 'deribit', symbols: ['BTC/USD:BTC'], cursors: { 'BTC/USD:BTC': { lastTime: T, idsAtLastTime: ['195402220'] } } });
    assert.deepEqual(rowsIn(result, 'trades').map((r) => r.tradeId), ['195402224', '195402231']);
    assert.deepEqual(rowsIn(result, 'collection_gaps'), []);
    assert.equal(result.cursors['BTC/USD:BTC'].lastSeq, '502');
  });
});
