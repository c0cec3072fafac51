import assert from 'node:assert/strict';
import { describe, it, after } from 'node:test';
import { collectorInput, collectorWorkflowId, stopCollector } from '../../src/client/collectors';
import { repairStatus } from '../../src/client/replicas';
import { loadConfig } from '../../src/config/load';
import type { StoreConfig } from '../../src/config/schema';
import { BATCH_TABLES, isBatchTable, type BatchTable } from '../../src/domain/batch';
import { collectQueue, STORAGE_QUEUE } from '../../src/domain/task-queues';
import { startStore, storeStatus } from '../../src/services/clickhouse';
import { batchSummary } from '../../src/storage/batch-rows';
import { storeClient } from '../../src/storage/client';
import { checkReplicas } from '../../src/storage/replica-check';
import { partitionIdForDay } from '../../src/storage/tables';
import { DATA_TYPE, EXCHANGE, SYMBOLS } from '../../src/workflows/search-attributes';
import { runCli, runCliJson } from '../support/cli';
import { quickRepairConfigFile } from '../support/test-config';
import { eventually } from '../support/wait';
import { decimalText, decimalTextSql } from '../../src/storage/decimal-text';
import { collectorHarness, quoted, truth } from './collector-fixture';

/**
 * The issue's end-to-end run (batch repair, part B): overlapping collectors attempted (the CLI refuses; one
 * overlapping collector runs anyway, as stacks started before the refusal have them), a store killed and
 * restarted, `replicas repair`, and then every ledger entry of the run in every store verifies by count and
 * checksum over the rows the store holds under that batch id. The overlap makes batches share trades, which
 * is what made earlier batches unverifiable (and unrepairable) before batch_id ended the sorting key.
 */
const [BTC, ETH] = ['BTC/USDT:USDT', 'ETH/USDT:USDT'];

interface Entry {
  batchId: string;
  table: BatchTable;
  rows: number;
  checksum: string;
}

/**
 * Batch ids whose rows a store wrote since `sinceMs` (ingest_time is stamped by the writer; the ledger's own
 * inserted_at is not usable: 18.16 fills an omitted JSONEachRow column with 0, not with its DEFAULT now()).
 */
async function batchesWrittenSince(store: StoreConfig, sinceMs: number): Promise<string[]> {
  const ids: string[] = [];
  for (const table of BATCH_TABLES) {
    const query = `SELECT DISTINCT batch_id FROM ${store.database}.${table} WHERE ingest_time >= ${Math.floor(sinceMs)}`;
    ids.push(...(await (await storeClient(store).query({ query, format: 'JSONEachRow' })).json<{ batch_id: string }>()).map((r) => r.batch_id));
  }
  return ids;
}

/** A store's ledger entries of the given batch ids. */
async function ledger(store: StoreConfig, ids: string[]): Promise<Entry[]> {
  const query = `SELECT batch_id, table_name, toString(rows) AS entry_rows, toString(checksum) AS entry_checksum FROM ${store.database}.batches FINAL WHERE batch_id IN (${ids.map(quoted).join(', ')})`;
  const raw = await (await storeClient(store).query({ query, format: 'JSONEachRow' })).json<{ batch_id: string; table_name: string; entry_rows: string; entry_checksum: string }>();
  return raw.filter((r) => isBatchTable(r.table_name)).map((r) => ({ batchId: r.batch_id, table: r.table_name as BatchTable, rows: Number(r.entry_rows), checksum: r.entry_checksum }));
}

const SIZED = ['price', 'amount', 'contract_size', 'base_amount', 'quote_amount'] as const;

/** Per trade id, one stored copy's values as the store's decimal text (any copy: copies are equal but for receive time). */
async function storedTexts(store: StoreConfig, symbol: string, sinceMs: number): Promise<Map<string, { eventTime: number; values: Array<string | null> }>> {
  const query = [
    `SELECT trade_id, toString(event_time) AS t, ${SIZED.map((c) => `${decimalTextSql(c)} AS ${c}`).join(', ')}`,
    `FROM ${store.database}.trades WHERE exchange = 'okx' AND symbol = ${quoted(symbol)} AND ingest_time >= ${Math.floor(sinceMs)}`,
    'ORDER BY trade_id, batch_id DESC LIMIT 1 BY trade_id',
  ].join(' ');
  const rows = await (await storeClient(store).query({ query, format: 'JSONEachRow' })).json<Record<string, string | null>>();
  return new Map(rows.map((r) => [r.trade_id as string, { eventTime: Number(r.t), values: SIZED.map((c) => r[c]) }]));
}

describe('end to end: overlapping collectors, a store killed and restarted, repair; every ledger entry verifies', () => {
  const config = loadConfig();
  const h = collectorHarness(config, [collectQueue('okx'), STORAGE_QUEUE], 'batch-repair-e2e');
  const victim = config.stores[2];
  after(async () => {
    await startStore(victim, config.dataDir); // no-op when it runs
  });

  it('runs, repairs, and verifies every batch of the run in every store', async () => {
    const since = Date.now();
    // 1. a collector through the CLI; an overlapping one is refused, naming it
    const [main] = await runCliJson<Array<{ workflowId: string; started: boolean }>>(['collect', 'start', '--exchange', 'okx', '--type', 'trades', '--symbols', `${BTC},${ETH}`, '--interval', '300ms']);
    h.collectors.ids.push(main.workflowId);
    await h.collectors.waitFor(main.workflowId, 'first batch', (s) => s.batchesWritten >= 1);
    const refused = await eventually('the overlap refused', async () => {
      const r = await runCli(['collect', 'start', '--exchange', 'okx', '--type', 'trades', '--symbols', ETH, '--interval', '300ms']);
      return r.code === 2 ? r : undefined; // visibility lists the first collector within moments
    }, 30_000, 500);
    assert.ok(refused.stderr.includes(`overlaps running collector ${main.workflowId} (on ${ETH})`), refused.stderr);

    // 2. ... and one runs anyway, as a stack started before the refusal existed has them: ETH trades in two collectors' batches
    const spec = { exchange: 'okx', dataType: 'trades' as const, symbols: [ETH], intervalMs: 300 };
    const legacy = `${collectorWorkflowId(spec)}/started-before-the-refusal`;
    await h.client.workflow.start('CollectorWorkflow', {
      workflowId: legacy,
      taskQueue: collectQueue('okx'),
      args: [collectorInput(config, spec)],
      typedSearchAttributes: [{ key: EXCHANGE, value: 'okx' }, { key: DATA_TYPE, value: 'trades' }, { key: SYMBOLS, value: [ETH] }],
    });
    h.collectors.ids.push(legacy);
    for (const id of [main.workflowId, legacy]) await h.collectors.waitFor(id, 'two batches', (s) => s.batchesWritten >= 2);

    // 3. a store killed (SIGKILL) while both collect; writes go on at quorum (2 of 3)
    const { pid } = await storeStatus(victim, config.dataDir);
    assert.ok(pid, 'the store runs');
    process.kill(pid, 'SIGKILL');
    await eventually(`${victim.id} down`, async () => ((await storeStatus(victim, config.dataDir)).healthy ? undefined : true), 15_000, 200);
    const during = await Promise.all([main.workflowId, legacy].map((id) => h.collectors.status(id)));
    for (const [i, id] of [main.workflowId, legacy].entries()) {
      await h.collectors.waitFor(id, 'three batches without the store', (s) => s.batchesWritten >= during[i].batchesWritten + 3, 90_000);
    }
    // 4. restarted; the collectors go on a little, then stop
    await startStore(victim, config.dataDir);
    const after = await Promise.all([main.workflowId, legacy].map((id) => h.collectors.status(id)));
    for (const [i, id] of [main.workflowId, legacy].entries()) await h.collectors.waitFor(id, 'two more batches', (s) => s.batchesWritten >= after[i].batchesWritten + 2, 90_000);
    for (const id of [main.workflowId, legacy]) assert.equal(await stopCollector(h.client, id), 'cancelled');

    // the run did make batches share trades
    const primary = config.stores[0];
    const shared = await (await storeClient(primary).query({
      query: `SELECT trade_id FROM ${primary.database}.trades WHERE exchange = 'okx' AND symbol = ${quoted(ETH)} AND ingest_time >= ${since} GROUP BY trade_id HAVING uniqExact(batch_id) > 1`,
      format: 'JSONEachRow',
    })).json<{ trade_id: string }>();
    assert.ok(shared.length > 0, 'some ETH trades are held by two batches');

    // 5. replicas repair, then wait until every store's ledger holds every batch of the run and the repair queue is empty
    // (repair leaves the batches of the last moments to their writes: asked again until the short window passed)
    const quick = quickRepairConfigFile();
    // the run's batches: those whose rows a store wrote since it began (a copy made now of an older batch too)
    let lacking = '';
    const all = await eventually('every ledger holds every batch of the run', async () => {
      const repair = await runCli(['--config', quick, 'replicas', 'repair']);
      assert.equal(repair.code, 0, repair.stderr);
      const ids = [...new Set((await Promise.all(config.stores.map((s) => batchesWrittenSince(s, since)))).flat())];
      const ledgers = await Promise.all(config.stores.map((s) => ledger(s, ids)));
      lacking = config.stores.map((s, i) => `${s.id} lacks ${ids.length - ledgers[i].length} of ${ids.length}`).join(', ');
      return ledgers.every((l) => l.length === ids.length) ? ledgers : undefined;
    }, 120_000, 1_000).catch(async (err: Error) => {
      throw new Error(`${err.message}: ${lacking}; repair: ${JSON.stringify(await repairStatus(h.client, victim.id).catch(() => null))}`);
    });
    const status = await eventually('repair drained', async () => {
      const s = await repairStatus(h.client, victim.id);
      return s.pending === 0 ? s : undefined;
    }, 60_000, 500);
    assert.ok(status.repaired > 0, `${victim.id} got copies: ${JSON.stringify(status)}`);
    // the repair works through every hint for this store; other suites' deliberately broken batches may be among them
    const ofTheRun = new Set(all[0].map((e) => e.batchId));
    assert.deepEqual(status.failed.filter((f) => ofTheRun.has(f.batchId)), [], 'no copy of the run failed verification');
    const trades = all[0].filter((e) => e.table === 'trades');
    assert.ok(trades.length >= 12, `batches of the run: ${trades.length}`);

    // 6. every ledger entry of the run verifies in every store, over the rows it holds under that batch id
    for (const [i, store] of config.stores.entries()) {
      const client = storeClient(store);
      await client.command({ query: `OPTIMIZE TABLE ${store.database}.trades FINAL` }); // merges cannot break it
      for (const entry of all[i]) {
        assert.deepEqual(await batchSummary(client, store.database, entry.table, entry.batchId), { rows: entry.rows, checksum: entry.checksum }, `${store.id} ${entry.table} ${entry.batchId}`);
      }
    }
    // and the stores hold the same trades, one row per trade
    const check = await checkReplicas(config, { table: 'trades', sinceMs: since, rows: 3 });
    const today = partitionIdForDay(Date.now());
    const ours = check.tables.find((t) => t.table === 'trades')!.differences.filter((d) => d.day !== null && d.day <= today);
    assert.deepEqual(ours, [], JSON.stringify(ours));

    // 7. and every stored value equals the exchange's ground truth exactly, compared as decimal strings
    type Truth = { id: string; price: number; amount: number; contractSize: number | null; baseAmount: number; quoteAmount: number };
    const text = (x: number | null): string | null => (x === null ? null : decimalText(x));
    for (const symbol of [BTC, ETH]) {
      const byStore = await Promise.all(config.stores.map((s) => storedTexts(s, symbol, since)));
      const times = [...byStore[0].values()].map((r) => r.eventTime);
      const expected = new Map((await truth<Truth>(config, { exchange: 'okx', type: 'trades', symbol, from: Math.min(...times), to: Math.max(...times) }))
        .map((t) => [t.id, [t.price, t.amount, t.contractSize, t.baseAmount, t.quoteAmount].map(text)]));
      for (const [i, stored] of byStore.entries()) {
        assert.ok(stored.size > 0, `${config.stores[i].id} holds ${symbol} trades`);
        for (const [id, row] of stored) assert.deepEqual(row.values, expected.get(id), `${config.stores[i].id} ${symbol} trade ${id}: ${SIZED.join(', ')}`);
      }
    }
  });
});
