import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { storageActivities } from '../../src/activities/storage';
import { stopCollector } from '../../src/client/collectors';
import { loadConfig } from '../../src/config/load';
import type { StoreConfig } from '../../src/config/schema';
import type { CollectionGapRow } from '../../src/domain/rows';
import { collectQueue, STORAGE_QUEUE } from '../../src/domain/task-queues';
import { storeClient } from '../../src/storage/client';
import { COLLECTION_GAPS_TABLE } from '../../src/storage/tables';
import { eventually } from '../support/wait';
import { collectorHarness, quoted, storedRecords, storedRows, truth } from './collector-fixture';

/**
 * A collector stopped and started again (issue: batch repair, part B) begins where the stores stand: the new run
 * reads the newest stored trade (time and ids) from a store and pages on from there. Before, it began with no
 * cursor, at the exchange's newest page: trades stored by the first run came again in new batches (the same
 * natural key under two batch ids), or, after a longer stop, the trades between were skipped without a gap row.
 */
const SYMBOL = 'BTC/USDT:USDT';
/** more than okx's newest page (100): a collector starting without a cursor could not reach back to the stop */
const TRADES_WHILE_STOPPED = 150;

type TruthTrade = { id: string; timestamp: number };

/** Trade ids of the test's window that more than one batch holds (FINAL collapses a retried insert of one batch). */
async function inTwoBatches(store: StoreConfig, since: number): Promise<string[]> {
  const query = `SELECT trade_id FROM ${store.database}.trades FINAL WHERE exchange = 'okx' AND symbol = ${quoted(SYMBOL)} AND ingest_time >= ${since} GROUP BY trade_id HAVING count() > 1`;
  return (await (await storeClient(store).query({ query, format: 'JSONEachRow' })).json<{ trade_id: string }>()).map((r) => r.trade_id);
}

describe('a restarted collector resumes from the stored cursor', () => {
  const config = loadConfig();
  const h = collectorHarness(config, [collectQueue('okx'), STORAGE_QUEUE], 'resume');

  it('stop + start: the new run pages on from the newest stored trade; no trade stored twice, none skipped', async () => {
    const since = Date.now();
    const spec = { exchange: 'okx', dataType: 'trades' as const, symbols: [SYMBOL], intervalMs: 300 };
    const id = await h.collectors.start(spec);
    await h.collectors.waitFor(id, 'three batches', (s) => s.batchesWritten >= 3);
    assert.equal(await stopCollector(h.client, id), 'cancelled');
    const firstRun = await storedRows(config, 'trades', 'okx', SYMBOL, since);
    const lastOfFirstRun = firstRun.at(-1)!;

    // what the storedCursors activity reads back is the newest stored trade
    const { storedCursors } = storageActivities(config);
    const { cursors } = await storedCursors({ store: config.stores[0].id, collector: spec });
    assert.equal(cursors[SYMBOL].lastTime, lastOfFirstRun.eventTime);
    assert.ok(cursors[SYMBOL].idsAtLastTime.includes(lastOfFirstRun.tradeId), JSON.stringify(cursors));

    // the market trades on while no collector runs
    await eventually(`${TRADES_WHILE_STOPPED} trades after the stop`, async () => {
      const emitted = await truth<TruthTrade>(config, { exchange: 'okx', type: 'trades', symbol: SYMBOL, from: lastOfFirstRun.eventTime + 1, to: Date.now() });
      return emitted.length >= TRADES_WHILE_STOPPED ? true : undefined;
    }, 60_000, 300);
    const restartedAt = Date.now();
    const again = await h.collectors.start(spec);
    assert.equal(again, id, 'the same collector, started again');
    await h.collectors.waitFor(again, 'the new run wrote batches', (s) => s.runs === 1 && s.batchesWritten >= 2 && (s.cursors[SYMBOL]?.lastTime ?? 0) > restartedAt);
    const status = await h.collectors.status(again);
    await h.collectors.stopAll();

    // the new run asked every store for its cursor first, then fetched from the newest
    const events = (await h.client.workflow.getHandle(again).fetchHistory()).events ?? [];
    const scheduled = events.flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityType?.name ? [e.activityTaskScheduledEventAttributes.activityType.name] : []));
    assert.deepEqual(scheduled.slice(0, config.stores.length + 1), [...config.stores.map(() => 'storedCursors'), 'fetchTrades']);

    const stored = await storedRows(config, 'trades', 'okx', SYMBOL, since);
    const secondRun = stored.filter((r) => r.eventTime > lastOfFirstRun.eventTime);
    const expected = await truth<TruthTrade>(config, { exchange: 'okx', type: 'trades', symbol: SYMBOL, from: firstRun[0].eventTime, to: stored.at(-1)!.eventTime });
    assert.deepEqual(
      [...stored.map((r) => r.tradeId)].sort((a, b) => Number(BigInt(a) - BigInt(b))),
      expected.map((t) => t.id).filter((tid) => BigInt(tid) >= BigInt(firstRun[0].tradeId)),
      'every trade from the first stored to the last, once: nothing skipped across the stop',
    );
    assert.equal(BigInt(secondRun[0].tradeId), BigInt(lastOfFirstRun.tradeId) + 1n, 'the new run began right after the last stored trade');
    assert.equal(status.gapsFound, 0);
    for (const store of config.stores) {
      // quorum is 2 of 3: the third store may still be receiving its copies
      assert.deepEqual(await eventually(`${store.id} settled`, async () => ((await storedRows(config, 'trades', 'okx', SYMBOL, since, store)).length >= stored.length ? inTwoBatches(store, since) : undefined), 30_000), [], `${store.id}: no trade in two batches`);
      const gaps = await storedRecords<CollectionGapRow>(config, COLLECTION_GAPS_TABLE, `exchange = 'okx' AND symbol = ${quoted(SYMBOL)} AND detected_at >= ${since}`, store);
      assert.deepEqual(gaps, [], `${store.id}: no gap recorded`);
    }
  });
});
