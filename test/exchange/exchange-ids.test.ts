import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { storageActivities } from '../../src/activities/storage';
import { loadConfig } from '../../src/config/load';
import type { Batch } from '../../src/domain/batch';
import type { Cursor, Cursors } from '../../src/domain/cursor';
import type { FetchResult } from '../../src/domain/fetch';
import type { QuarantineRow, TradeRow } from '../../src/domain/rows';
import { TICKER } from '../../src/exchange/data-types/ticker';
import { TRADES } from '../../src/exchange/data-types/trades';
import { fetchActivity } from '../../src/exchange/fetch-loop';
import { ExchangePool } from '../../src/exchange/pool';
import { batchRows } from '../../src/storage/batch-rows';
import { storeClient } from '../../src/storage/client';
import { batchIn, rowsIn } from '../support/fetch-results';
import { clearFaults, setFault, truth } from '../support/simulator-admin';

/**
 * Issues C and D end to end: the fetch activities over ccxt and HTTP against the simulator with the exchanges'
 * real identifiers and bad items switched on (simulator data faults), compared with the simulator's ground
 * truth; the batches are written to every store through the insertBatch activity, as a collector writes them.
 */
type TruthTrade = { id: string; seq: number; timestamp: number };

describe('exchange identifiers and bad items, against the simulator', () => {
  const config = loadConfig();
  const pool = new ExchangePool(config);
  const fetchTrades = fetchActivity(pool, TRADES);
  const storage = storageActivities(config);

  after(async () => {
    await clearFaults(config);
    await pool.close();
  });

  /** A cursor at the newest trade `ageMs` ago, as a collector running today carries it ({lastTime, idsAtLastTime}). */
  async function cursorAgo(exchange: string, symbol: string, ageMs: number): Promise<{ cursor: Cursor; start: TruthTrade }> {
    const [start] = (await truth<TruthTrade>(config, { exchange, type: 'trades', symbol, from: Date.now() - ageMs, to: Date.now() - ageMs + 100 })).slice(-1);
    return { cursor: { lastTime: start.timestamp, idsAtLastTime: [start.id] }, start };
  }

  /** Fetches until caught up, maxRows at a time; every result is returned. */
  async function fetchAll(exchange: string, symbol: string, cursor: Cursor, maxRows: number): Promise<FetchResult[]> {
    let cursors: Cursors = { [symbol]: cursor };
    const results: FetchResult[] = [];
    for (let caughtUp = false; !caughtUp; ) {
      const result = await fetchTrades({ exchange, symbols: [symbol], cursors, maxRows });
      results.push(result);
      cursors = result.cursors;
      caughtUp = result.caughtUp;
      assert.ok(results.length < 30, 'catches up');
    }
    return results;
  }

  async function writeEverywhere(batch: Batch): Promise<void> {
    for (const store of config.stores) assert.equal((await storage.insertBatch({ store: store.id, batch })).rows, batch.rows.length, `${store.id} took batch ${batch.table}`);
  }

  it('binanceusdm with backdated aggregate trades (ccxt #8329): every trade once, in id order, no false gap', async () => {
    await setFault(config, { exchange: 'binanceusdm', mode: 'backdated_trades', rate: 0.2 });
    const symbol = 'ETH/USDT:USDT';
    const { cursor, start } = await cursorAgo('binanceusdm', symbol, 15_000);
    const results = await fetchAll('binanceusdm', symbol, cursor, 100);
    const rows = results.flatMap((r) => rowsIn(r, 'trades'));
    assert.deepEqual(results.flatMap((r) => rowsIn(r, 'collection_gaps')), [], 'no gap recorded');
    assert.ok(results.length >= 3, `several rounds (${results.length})`);
    const expected = (await truth<TruthTrade>(config, { exchange: 'binanceusdm', type: 'trades', symbol, from: start.timestamp - 1_000, to: Date.now() }))
      .filter((t) => BigInt(t.id) > BigInt(start.id) && BigInt(t.id) <= BigInt(rows.at(-1)!.tradeId));
    assert.deepEqual(rows.map((r) => [r.tradeId, r.eventTime]), expected.map((t) => [t.id, t.timestamp]), 'the ground truth, id for id, at the times served');
    const backdated = rows.filter((r, i) => i > 0 && r.eventTime < rows[i - 1].eventTime);
    assert.ok(backdated.length >= 5, `backdated trades were met and kept (${backdated.length})`);
    await clearFaults(config);
  });

  it('deribit trade ids unique per currency: gaps on trade_seq, none raised, every trade once', async () => {
    const symbol = 'BTC/USD:BTC';
    const { cursor, start } = await cursorAgo('deribit', symbol, 15_000);
    const results = await fetchAll('deribit', symbol, cursor, 100);
    const rows = results.flatMap((r) => rowsIn(r, 'trades'));
    assert.deepEqual(results.flatMap((r) => rowsIn(r, 'collection_gaps')), [], 'no gap (ids jump, trade_seq does not)');
    const expected = (await truth<TruthTrade>(config, { exchange: 'deribit', type: 'trades', symbol, from: start.timestamp, to: rows.at(-1)!.eventTime })).filter((t) => t.seq > start.seq);
    assert.deepEqual(rows.map((r) => r.tradeId), expected.map((t) => t.id));
    assert.ok(rows.some((r, i) => i > 0 && BigInt(r.tradeId) - BigInt(rows[i - 1].tradeId) > 1n), 'trade ids did jump');
    assert.equal(results.at(-1)!.cursors[symbol].lastSeq, String(expected.at(-1)!.seq), 'the cursor holds the trade_seq');
  });

  it('binance with nanosecond timestamps (ccxt #24009): valid trades stored in every store, the bad ones quarantined once, no gap', async () => {
    await setFault(config, { exchange: 'binance', mode: 'nanosecond_timestamps', rate: 0.1 });
    const symbol = 'BTC/USDT';
    const { cursor, start } = await cursorAgo('binance', symbol, 10_000);
    const results = await fetchAll('binance', symbol, cursor, 2_000);
    await clearFaults(config);
    const rows = results.flatMap((r) => rowsIn(r, 'trades'));
    const quarantined = results.flatMap((r) => rowsIn(r, 'quarantine'));
    assert.deepEqual(results.flatMap((r) => rowsIn(r, 'collection_gaps')), [], 'a quarantined trade is not a gap');
    const badIds = quarantined.map((q) => String((JSON.parse(q.raw) as { a: number }).a));
    assert.ok(badIds.length >= 5, `about 10 % of ~200 trades (${badIds.length})`);
    assert.equal(new Set(badIds).size, badIds.length, 'each quarantined once');
    for (const q of quarantined) assert.match(q.reason, /not an epoch-ms time \(nanoseconds\?\)/);
    const expected = (await truth<TruthTrade>(config, { exchange: 'binance', type: 'trades', symbol, from: start.timestamp, to: Date.now() }))
      .filter((t) => BigInt(t.id) > BigInt(start.id) && BigInt(t.id) <= BigInt(results.at(-1)!.cursors[symbol].lastId!));
    assert.deepEqual([...rows.map((r) => r.tradeId), ...badIds].sort(), expected.map((t) => t.id).sort(), 'every trade is stored or quarantined');
    for (const result of results) for (const batch of result.batches) await writeEverywhere(batch as Batch); // fetched without `stage`: rows inline
    const tradeBatch = batchIn(results[0], 'trades')!;
    for (const store of config.stores) {
      const stored = await batchRows(storeClient(store), store.database, 'trades', tradeBatch.batchId);
      assert.deepEqual(stored.map((r: TradeRow) => r.tradeId).sort(), tradeBatch.rows.map((r) => r.tradeId).sort(), `${store.id} holds the valid trades`);
      const quarantineBatch = batchIn(results[0], 'quarantine') as Batch<'quarantine'>;
      const held = await batchRows(storeClient(store), store.database, 'quarantine', quarantineBatch.batchId);
      assert.equal(held.length, quarantineBatch.rows.length, `${store.id} holds the quarantined items`);
      assert.ok(held.every((q: QuarantineRow) => q.dataType === 'trades'));
    }
  });

  it('deribit ticker without a last price (ccxt #626): stored with last NULL, bid and ask kept, nothing quarantined', async () => {
    await setFault(config, { exchange: 'deribit', mode: 'no_last_price' });
    const result = await fetchActivity(pool, TICKER)({ exchange: 'deribit', symbols: ['ETH/USD:ETH'], cursors: {} });
    await clearFaults(config);
    assert.deepEqual(rowsIn(result, 'quarantine'), []);
    const [row] = rowsIn(result, 'ticker');
    assert.equal(row.last, null);
    assert.ok(row.bid! > 0 && row.ask! > row.bid!);
    const batch = batchIn(result, 'ticker')!;
    await writeEverywhere(batch);
    for (const store of config.stores) {
      const [stored] = await batchRows(storeClient(store), store.database, 'ticker', batch.batchId);
      assert.deepEqual([stored.last, stored.bid, stored.ask], [null, row.bid, row.ask], `${store.id}: last is NULL, never 0`);
    }
  });
});
