import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { storageActivities } from '../../src/activities/storage';
import { temporalClient } from '../../src/client/client';
import { repairStatus } from '../../src/client/replicas';
import { loadConfig } from '../../src/config/load';
import type { StoreConfig } from '../../src/config/schema';
import type { Batch } from '../../src/domain/batch';
import type { RowBase } from '../../src/domain/rows';
import { sizesOf } from '../../src/domain/sizes';
import { STORAGE_QUEUE } from '../../src/domain/task-queues';
import { batchRows, batchSummary } from '../../src/storage/batch-rows';
import { storeClient } from '../../src/storage/client';
import { decimalTextSql } from '../../src/storage/decimal-text';
import { ledgerEntry } from '../../src/storage/ledger';
import { startWorkers, type RunningWorkers } from '../../src/workers/start-workers';
import { runCli, runCliJson } from '../support/cli';
import { quickRepairConfigFile } from '../support/test-config';
import { eventually } from '../support/wait';

/**
 * Issue: ClickHouse's Float64 text parser stored 2.236 as 2.2359999999999998, the ledger checksum (computed in TS
 * over the values sent) then did not match what the store held, and repair ended such a batch as "batch not
 * found". Now each value is stored as the exchange's decimal, the checksum is over the values as stored, and a
 * batch written to two stores is copied by the repair workflow to the third and verifies there.
 *
 * Also: the ledger's inserted_at was the zero date on 18.16 (an INSERT that did not name its columns got the
 * type's zero, not the DEFAULT now()), so `replicas check --since 10m` compared no ledger entries at all.
 */
const NOW = Date.now();
const base = (i: number): RowBase => ({ exchange: 'okx', marketType: 'swap', symbol: 'XDX/USDT', nativeSymbol: 'XDX-USDT', eventTime: NOW + i, receiveTime: NOW + i + 7 });

/** the issue's values: 3-decimal prices between 1 and 10, a long/short ratio, a tiny price, a large amount */
const PRICES = [2.236, 1.118, 1.7091, 0.000001234, 1e-8];
const AMOUNTS = [123456789.12345679, 2.5, 0.001, 1.1501, 42];
const BATCHES: Batch[] = [
  {
    batchId: `xd-trades-${NOW}`,
    table: 'trades',
    // sizes as for a spot market: base amount = amount, quote = amount x price, exactly (src/domain/sizes.ts)
    rows: PRICES.map((price, i) => ({ ...base(i), tradeId: `xd-${NOW}-${i}`, price, amount: AMOUNTS[i], side: 'sell', ...sizesOf(AMOUNTS[i], 'base', { contractSize: null, inverse: false }, price) })),
  },
  { batchId: `xd-book-${NOW}`, table: 'orderbook', rows: [{ ...base(10), bids: [[2.236, 123456789.12345679], [1e-8, 0.000001234]], asks: [[1.118, 1.7091]], depth: 2, contractSize: 0.01 }] },
  { batchId: `xd-lsr-${NOW}`, table: 'lsr_top_position', rows: [{ ...base(20), longShortRatio: 1.1501, longAccount: 0.5349, shortAccount: 0.4651, period: '5m' }] },
  { batchId: `xd-vol-${NOW}`, table: 'volatility_index', rows: [{ ...base(30), value: 1.7091, resolution: '60' }] },
] as Batch[];

/** What each store holds, as text: the exchange's decimals, with nothing one ULP off. */
async function storedTexts(store: StoreConfig, table: string, columns: string[], batchId: string): Promise<string[][]> {
  const result = await storeClient(store).query({
    query: `SELECT ${columns.map((c, i) => `${c.includes('_price') || c.includes('_amount') ? `arrayStringConcat(arrayMap(v -> ${decimalTextSql('v')}, ${c}), ' ')` : decimalTextSql(c)} AS c${i}`).join(', ')} FROM ${store.database}.${table} FINAL WHERE batch_id = '${batchId}' ORDER BY event_time`,
    format: 'JSONEachRow',
  });
  return (await result.json<Record<string, string>>()).map((r) => columns.map((_, i) => r[`c${i}`]));
}

interface CheckJson {
  identical: boolean;
  tables: Array<{ table: string; identical: boolean; stores: Array<{ store: string; rows: number }> }>;
}

describe('exact decimals through every store, and replica repair of them', () => {
  const config = loadConfig();
  const [primary, replica1, replica2] = config.stores;
  const { insertBatch, migrate } = storageActivities(config);
  let workers: RunningWorkers;
  let client: Client;

  before(async () => {
    for (const s of config.stores) await migrate({ store: s.id });
    client = await temporalClient(config);
    workers = await startWorkers(config, { queues: [STORAGE_QUEUE], identity: 'exact-decimals-test' });
  });

  after(async () => {
    await workers?.shutdown();
    await client?.connection.close();
  });

  it('a batch of the issue\'s values written to two stores is stored exactly, copied by repair to the third, and verifies', async () => {
    const written = new Map<string, string>();
    for (const batch of BATCHES) {
      for (const store of [primary, replica1]) written.set(batch.batchId, (await insertBatch({ store: store.id, batch })).checksum);
    }

    // --since 10m sees the ledger entries just written (inserted_at is the insert time, not the zero date)
    const differs = await runCli(['replicas', 'check', '--table', 'volatility_index', '--since', '10m', '--json']);
    assert.equal(differs.code, 1, differs.stderr);
    const before = JSON.parse(differs.stdout) as CheckJson;
    const ledger = before.tables.find((t) => t.table === 'batches');
    assert.ok(ledger, JSON.stringify(before));
    const ledgerRows = Object.fromEntries(ledger.stores.map((s) => [s.store, s.rows]));
    assert.ok(ledgerRows[primary.id] >= 1 && ledgerRows[replica1.id] === ledgerRows[primary.id], JSON.stringify(ledger));
    assert.equal(ledgerRows[replica2.id], ledgerRows[primary.id] - 1, 'the store that missed the batch has one entry fewer since 10m');
    assert.equal(before.identical, false);

    // repair leaves batches still being written to their writes: asked again until the short window has passed
    const quick = quickRepairConfigFile();
    const done = await eventually('the repair workflow copied the four batches', async () => {
      const repair = await runCli(['--config', quick, 'replicas', 'repair', '--store', replica2.id]);
      assert.equal(repair.code, 0, repair.stderr);
      const s = await repairStatus(client, replica2.id).catch(() => undefined);
      if (!s) return undefined;
      return s.pending === 0 && (await Promise.all(BATCHES.map((b) => ledgerEntry(storeClient(replica2), replica2.database, b.batchId)))).every(Boolean) ? s : undefined;
    }, 60_000, 500);
    // the repair works through every hint for this store; other suites' deliberately broken batches may be among them
    const ours = new Set(BATCHES.map((b) => b.batchId));
    assert.deepEqual(done.failed.filter((f) => ours.has(f.batchId)), []);

    for (const store of config.stores) {
      assert.deepEqual(
        await storedTexts(store, 'trades', ['price', 'amount'], BATCHES[0].batchId),
        [['2.236', '123456789.12345679'], ['1.118', '2.5'], ['1.7091', '0.001'], ['0.000001234', '1.1501'], ['0.00000001', '42']],
        store.id,
      );
      assert.deepEqual(await storedTexts(store, 'orderbook', ['bids_price', 'bids_amount', 'asks_price', 'asks_amount'], BATCHES[1].batchId), [
        ['2.236 0.00000001', '123456789.12345679 0.000001234', '1.118', '1.7091'],
      ]);
      assert.deepEqual(await storedTexts(store, 'lsr_top_position', ['long_short_ratio', 'long_account', 'short_account'], BATCHES[2].batchId), [['1.1501', '0.5349', '0.4651']]);
      assert.deepEqual(await storedTexts(store, 'volatility_index', ['value'], BATCHES[3].batchId), [['1.7091']]);
      for (const batch of BATCHES) {
        // the checksum TS computed before the insert is the store's own checksum over what it holds
        const entry = await ledgerEntry(storeClient(store), store.database, batch.batchId);
        assert.equal(entry?.checksum, written.get(batch.batchId), `${store.id} ${batch.batchId}`);
        assert.deepEqual(await batchSummary(storeClient(store), store.database, batch.table, batch.batchId), { rows: batch.rows.length, checksum: written.get(batch.batchId) });
        // and reads back as the very doubles ccxt handed over
        const back = await batchRows(storeClient(store), store.database, batch.table, batch.batchId);
        assert.deepEqual(back.map(({ batchId: _b, ingestTime: _i, ...row }) => row), batch.rows, `${store.id} ${batch.batchId}`);
      }
    }

    const after = await runCliJson<CheckJson>(['replicas', 'check', '--table', 'volatility_index', '--since', '10m', '--json']);
    assert.equal(after.identical, true, JSON.stringify(after));
    const repaired = after.tables.find((t) => t.table === 'batches')!.stores.map((s) => s.rows);
    assert.ok(repaired.every((n) => n === repaired[0] && n >= 1), JSON.stringify(after));
  });
});
