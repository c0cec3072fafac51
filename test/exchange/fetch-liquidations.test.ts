import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { ExchangePool } from '../../src/exchange/pool';
import { LIQUIDATIONS } from '../../src/exchange/data-types/liquidations';
import { fetchActivity } from '../../src/exchange/fetch-loop';
import { liquidationPaging, NEWEST_BACK_PAGE } from '../../src/exchange/paging/liquidations';
import { rowsIn } from '../support/fetch-results';
import { loadConfig } from '../../src/config/load';
import type { Cursors } from '../../src/domain/cursor';
import type { LiquidationRow } from '../../src/domain/rows';
import { truth } from '../support/simulator-admin';

interface TruthLiquidation {
  timestamp: number;
  baseValue: number;
}

/** fetchLiquidations called directly (no Temporal) against the simulator's deribit over ccxt. */
describe('fetchLiquidations on deribit (bankruptcy settlements)', () => {
  const config = loadConfig();
  const pool = new ExchangePool(config);
  const fetchLiquidations = fetchActivity(pool, LIQUIDATIONS);
  const symbol = 'ETH/USD:ETH';
  const served = (rows: LiquidationRow[]): Array<[number, number | null]> => rows.map((r) => [r.eventTime, r.baseValue]);

  after(async () => {
    await pool.close();
  });

  it('without a cursor: the newest page, as rows with NULL side/price/contracts and the ground-truth time and size', async () => {
    assert.equal(liquidationPaging(await pool.get('deribit')), 'newest-back');
    const result = await fetchLiquidations({ exchange: 'deribit', symbols: [symbol], cursors: {}, maxRows: 2_000 });
    assert.deepEqual(rowsIn(result, 'quarantine'), []);
    const rows = rowsIn(result, 'liquidations');
    assert.equal(rows.length, NEWEST_BACK_PAGE);
    const expected = await truth<TruthLiquidation>(config, { exchange: 'deribit', type: 'liquidations', symbol, from: rows[0].eventTime, to: rows.at(-1)!.eventTime });
    assert.deepEqual(served(rows), expected.map((t) => [t.timestamp, t.baseValue]));
    for (const row of rows) assert.deepEqual([row.side, row.price, row.amount], [null, null, null]);
    assert.equal(new Set(rows.map((r) => r.liquidationId)).size, rows.length);
    assert.equal(result.cursors[symbol].lastTime, rows.at(-1)!.eventTime);
  });

  it('from an old cursor: pages back past it and hands the rest over oldest first, maxRows at a time, without a hole or a repeat', async () => {
    // ~250 settlements (one per 10 s) behind: more than two pages back, taken 90 at a time
    const [start] = (await truth<TruthLiquidation>(config, { exchange: 'deribit', type: 'liquidations', symbol, from: Date.now() - 2_500_000, to: Date.now() - 2_480_000 })).slice(-1);
    // the cursor a collector holds after storing `start`: its time and its (derived) id
    const startRow = (await fetchLiquidations({ exchange: 'deribit', symbols: [symbol], cursors: { [symbol]: { lastTime: start.timestamp - 1, idsAtLastTime: [] } }, maxRows: 1 }).then((r) => rowsIn(r, 'liquidations')))[0];
    assert.equal(startRow.eventTime, start.timestamp);
    let cursors: Cursors = { [symbol]: { lastTime: start.timestamp, idsAtLastTime: [startRow.liquidationId] } };
    const rows: LiquidationRow[] = [];
    let rounds = 0;
    for (let caughtUp = false; !caughtUp; rounds++) {
      const result = await fetchLiquidations({ exchange: 'deribit', symbols: [symbol], cursors, maxRows: 90 });
      assert.ok(rowsIn(result, 'liquidations').length <= 90);
      rows.push(...rowsIn(result, 'liquidations'));
      cursors = result.cursors;
      caughtUp = result.caughtUp;
      assert.ok(rounds < 10, 'catches up');
    }
    assert.ok(rounds >= 3, `needed several rounds (${rounds})`);
    const expected = await truth<TruthLiquidation>(config, { exchange: 'deribit', type: 'liquidations', symbol, from: start.timestamp + 1, to: rows.at(-1)!.eventTime });
    assert.ok(expected.length >= 240, `${expected.length} settlements to back-fill`);
    assert.deepEqual(served(rows), expected.map((t) => [t.timestamp, t.baseValue]));
    // caught up: asking again brings nothing already stored
    const again = await fetchLiquidations({ exchange: 'deribit', symbols: [symbol], cursors, maxRows: 2_000 });
    for (const row of rowsIn(again, 'liquidations')) assert.ok(row.eventTime > rows.at(-1)!.eventTime);
  });
});
