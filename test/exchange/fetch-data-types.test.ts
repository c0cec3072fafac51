import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ExchangePool } from '../../src/exchange/pool';
import { fetchTopPositionRatios } from '../../src/exchange/top-position';
import { discontinuity, TRADES } from '../../src/exchange/data-types/trades';
import { TICKER } from '../../src/exchange/data-types/ticker';
import { fetchActivity } from '../../src/exchange/fetch-loop';
import { UnparseableResponse } from '../../src/exchange/response-guard';
import { tradePaging } from '../../src/exchange/paging/trades';
import { loadConfig } from '../../src/config/load';
import type { TradeRow } from '../../src/domain/rows';
import { classify } from '../../src/reliability/classify';
import { batchIn, rowsIn } from '../support/fetch-results';
import { clearFaults, setFault, truth } from '../workflows/collector-fixture';

/** The fetch activities called directly (no Temporal) against the simulator over ccxt. */
describe('exchange fetch activities', () => {
  const config = loadConfig();
  const pool = new ExchangePool(config);
  const fetchTrades = fetchActivity(pool, TRADES);

  after(async () => {
    await clearFaults(config);
    await pool.close();
  });

  for (const [exchange, symbol, paging] of [
    ['okx', 'ETH/USDT', 'okx-before'],
    ['binance', 'ETH/USDT', 'from-id'],
    ['deribit', 'ETH/USD:ETH', 'since'],
  ] as const) {
    it(`${exchange}: pages forward from the cursor (${paging}), maxRows at a time, without a hole`, async () => {
      assert.equal(tradePaging(await pool.get(exchange)).kind, paging);
      // a cursor 20 s back: ~400 trades to back-fill at 20/s, taken 150 at a time
      const [start] = (await truth<{ id: string; timestamp: number }>(config, { exchange, type: 'trades', symbol, from: Date.now() - 20_000, to: Date.now() - 19_900 })).slice(-1);
      let cursors = { [symbol]: { lastTime: start.timestamp, idsAtLastTime: [start.id] } };
      const rows: TradeRow[] = [];
      let rounds = 0;
      for (let caughtUp = false; !caughtUp; rounds++) {
        const result = await fetchTrades({ exchange, symbols: [symbol], cursors, maxRows: 150 });
        assert.ok(rowsIn(result, 'trades').length <= 150);
        assert.deepEqual(rowsIn(result, 'collection_gaps'), []);
        rows.push(...rowsIn(result, 'trades'));
        cursors = result.cursors;
        caughtUp = result.caughtUp;
        assert.ok(rounds < 20, 'catches up');
      }
      assert.ok(rounds >= 3, `needed several rounds (${rounds})`);
      const expected = await truth<{ id: string }>(config, { exchange, type: 'trades', symbol, from: start.timestamp, to: rows.at(-1)!.eventTime });
      assert.deepEqual(rows.map((r) => r.tradeId), expected.map((t) => t.id).filter((id) => BigInt(id) > BigInt(start.id)));
    });
  }

  it('bybit is latest-only: a cursor older than the newest page is a gap, never silently skipped', async () => {
    const exchange = await pool.get('bybit');
    assert.equal(tradePaging(exchange).kind, 'latest-only');
    const symbol = 'ETH/USDT';
    const [old] = await truth<{ id: string; timestamp: number }>(config, { exchange: 'bybit', type: 'trades', symbol, from: Date.now() - 30_000, to: Date.now() - 29_900 });
    const result = await fetchTrades({ exchange: 'bybit', symbols: [symbol], cursors: { [symbol]: { lastTime: old.timestamp, idsAtLastTime: [old.id] } }, maxRows: 2_000 });
    const gaps = rowsIn(result, 'collection_gaps');
    assert.equal(gaps.length, 1);
    assert.equal(gaps[0].fromTime, old.timestamp);
    assert.equal(gaps[0].toTime, rowsIn(result, 'trades')[0].eventTime);
    assert.ok(batchIn(result, 'collection_gaps')?.batchId.startsWith('collection_gaps-'));
  });

  it('latest-only pages without sequential ids: a page that does not reach back to the cursor is a gap', () => {
    const row = (id: string, t: number) => ({ tradeId: id, eventTime: t }) as TradeRow;
    const latestOnly = { kind: 'latest-only', forward: false, order: 'time', request: () => ({ limit: 60, params: {} }) } as const;
    const cursor = { lastTime: 1_000, idsAtLastTime: ['a1b2'] };
    const fresh = [{ time: 2_000, key: 'ffff' }];
    assert.match(discontinuity(cursor, fresh, row('ffff', 2_000), latestOnly, undefined) ?? '', /may be lost/);
    assert.equal(discontinuity(cursor, fresh, row('a1b2', 1_000), latestOnly, undefined), undefined, 'the page overlaps the cursor');
  });

  it('raises malformed and truncated bodies as a retryable BadResponse carrying the raw body (unified and implicit calls)', async () => {
    await setFault(config, { exchange: 'okx', mode: 'malformed', forMs: 10_000 });
    const okx = await pool.get('okx');
    const errors = [
      await fetchTrades({ exchange: 'okx', symbols: ['BTC/USDT'], cursors: {}, maxRows: 10 }).catch((e: unknown) => e),
      await fetchActivity(pool, TICKER)({ exchange: 'okx', symbols: ['BTC/USDT'], cursors: {}, maxRows: 10 }).catch((e: unknown) => e),
      await fetchTopPositionRatios(okx, 'BTC/USDT:USDT', '5m', undefined).catch((e: unknown) => e),
    ];
    await setFault(config, { exchange: 'binance', mode: 'truncated', forMs: 10_000 });
    errors.push(await fetchTrades({ exchange: 'binance', symbols: ['BTC/USDT'], cursors: {}, maxRows: 10 }).catch((e: unknown) => e));
    await clearFaults(config);
    for (const err of errors) {
      assert.ok(err instanceof UnparseableResponse, `got ${String(err)}`);
      assert.ok(err.rawBody.length > 0);
      const c = classify(err);
      assert.equal(c.class, 'server');
      assert.equal(c.retryable, true);
    }
    assert.match((errors[0] as UnparseableResponse).rawBody, /oops/);
    // and once the exchange answers properly again, the same calls succeed
    const ok = await fetchTrades({ exchange: 'okx', symbols: ['BTC/USDT'], cursors: {}, maxRows: 10 });
    assert.equal(rowsIn(ok, 'trades').length, 10);
  });
});
