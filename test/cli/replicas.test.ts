import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { storageActivities } from '../../src/activities/storage';
import { loadConfig } from '../../src/config/load';
import type { TradeRow } from '../../src/domain/rows';
import { STORAGE_QUEUE } from '../../src/domain/task-queues';
import { freePort } from '../../src/services/process';
import { storeClient } from '../../src/storage/client';
import { insertRows } from '../../src/storage/table-io';
import { MARKET_TABLES } from '../../src/storage/tables';
import { startWorkers, type RunningWorkers } from '../../src/workers/start-workers';
import { runCli, runCliJson } from '../support/cli';
import { quickRepairConfigFile } from '../support/test-config';
import { eventually } from '../support/wait';

/** 2033-05-01: event times no other test writes. */
const SINCE = Date.UTC(2033, 4, 1);

describe('marketprism replicas', () => {
  const config = loadConfig();
  const { hasBatch, insertBatch, migrate } = storageActivities(config);
  const [primary, , replica2] = config.stores;
  let workers: RunningWorkers;

  before(async () => {
    for (const s of config.stores) await migrate({ store: s.id });
    workers = await startWorkers(config, { queues: [STORAGE_QUEUE], activitiesOnly: false, identity: 'replicas-cli-test' });
  });
  after(async () => {
    await workers?.shutdown();
  });

  it('rejects bad input in one line with exit code 2', async () => {
    for (const [args, pattern] of [
      [['replicas', 'check', '--table', 'candles'], /--table 'candles' is not a data type; use one of trades/],
      [['replicas', 'check', '--since', 'yesterday'], /--since 'yesterday' is neither epoch milliseconds nor a duration/],
      [['replicas', 'check', '--rows', 'many'], /--rows 'many' is not a count/],
      [['replicas', 'repair', '--store', 'replica-9'], /--store 'replica-9': unknown store; use one of primary/],
      [['replicas', 'status', 'replica-9'], /unknown store/],
    ] as const) {
      const r = await runCli([...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
  });

  it('check: exit 0 when the stores hold the same rows, 1 with the differing day listed; repair levels them', async () => {
    const rows = Array.from({ length: 7 }, (_, i): TradeRow => ({
      exchange: 'okx', marketType: 'swap', symbol: 'CLI/USDT', nativeSymbol: 'CLI-USDT',
      eventTime: SINCE + i, receiveTime: SINCE + i, tradeId: `cli-${i}`, price: 1 + i, amount: 2, side: 'sell', contractSize: null, baseAmount: null, quoteAmount: null,
    }));
    const empty = await runCli(['replicas', 'check', '--table', 'trades', '--since', String(SINCE)]);
    assert.equal(empty.code, 0, empty.stderr);

    for (const s of config.stores.slice(0, 2)) await insertBatch({ store: s.id, batch: { batchId: 'cli-batch-1', table: 'trades', rows } });
    const differs = await runCli(['replicas', 'check', '--table', 'trades', '--since', String(SINCE), '--json']);
    assert.equal(differs.code, 1);
    const report = JSON.parse(differs.stdout) as { identical: boolean; tables: Array<{ table: string; differences: Array<{ day: number; stores: Array<{ store: string; rows: number }> }> }> };
    assert.equal(report.identical, false);
    const trades = report.tables.find((t) => t.table === 'trades');
    assert.deepEqual(trades?.differences.map((d) => [d.day, d.stores.map((s) => s.rows)]), [[20330501, [7, 7, 0]]]);
    const human = await runCli(['replicas', 'check', '--table', 'trades', '--since', String(SINCE)]);
    assert.match(human.stdout, /stores differ in trades/);
    assert.match(human.stdout, /20330501/);

    // just written: its write may still be landing everywhere, so repair leaves it to the write (issue 12, A6)
    type RepairJson = { stores: Array<{ store: string; missing: number; inFlight: number; workflowId: string | null }>; unreachable: unknown[] };
    const early = await runCliJson<RepairJson>(['replicas', 'repair', '--store', replica2.id]);
    assert.equal(early.stores.length, 1);
    assert.ok(early.stores[0].inFlight >= 1, JSON.stringify(early));
    assert.deepEqual(early.unreachable, []);
    assert.equal(await hasBatch({ store: replica2.id, batchId: 'cli-batch-1' }), false);
    // once the write's window has passed (here shortened to 1.1 s by the config), repair queues it
    const quick = quickRepairConfigFile();
    await eventually('repair to queue the batch and replica-2 to hold it', async () => {
      await runCliJson<RepairJson>(['--config', quick, 'replicas', 'repair', '--store', replica2.id]);
      return (await hasBatch({ store: replica2.id, batchId: 'cli-batch-1' })) ? true : undefined;
    }, 60_000, 1_000);
    await eventually('check passes', async () => ((await runCli(['replicas', 'check', '--table', 'trades', '--since', String(SINCE)])).code === 0 ? true : undefined), 30_000, 1_000);
    const status = await runCliJson<{ pending: number; repaired: number }>(['replicas', 'status', replica2.id]);
    assert.ok(status.repaired >= 1);
    assert.equal(await hasBatch({ store: primary.id, batchId: 'cli-batch-1' }), true);
  });

  it('check lists which rows differ: keys a store lacks, keys held with other values, up to --rows', async () => {
    const day = Date.UTC(2033, 5, 1);
    const rows = ['drill-0', 'drill-1', 'drill-2'].map((tradeId, i): TradeRow => ({
      exchange: 'okx', marketType: 'swap', symbol: 'DRL/USDT', nativeSymbol: 'DRL-USDT',
      eventTime: day + i, receiveTime: day + i, tradeId, price: 10 + i, amount: 1, side: 'buy', contractSize: null, baseAmount: null, quoteAmount: null,
    }));
    for (const s of config.stores.slice(0, 2)) await insertBatch({ store: s.id, batch: { batchId: 'cli-drill-1', table: 'trades', rows } });
    // replica-2: drill-0 alike, drill-1 with another price, drill-2 missing
    const stamp = { batchId: 'by-hand', ingestTime: Date.now() };
    await insertRows(storeClient(replica2), replica2.database, MARKET_TABLES.trades, [{ ...rows[0], ...stamp }, { ...rows[1], price: 99, ...stamp }]);

    type Report = { tables: Array<{ table: string; differences: Array<{ day: number; moreRows?: boolean; rows?: Array<{ key: Record<string, unknown>; stores: Record<string, string | null> }> }> }> };
    const json = await runCli(['replicas', 'check', '--table', 'trades', '--since', String(day), '--rows', '10', '--json']);
    assert.equal(json.code, 1, json.stderr);
    const [difference] = (JSON.parse(json.stdout) as Report).tables[0].differences;
    assert.equal(difference.day, 20330601);
    assert.equal(difference.moreRows, false);
    assert.deepEqual(difference.rows?.map((r) => r.key), [
      { exchange: 'okx', symbol: 'DRL/USDT', trade_id: 'drill-1' },
      { exchange: 'okx', symbol: 'DRL/USDT', trade_id: 'drill-2' },
    ]);
    const [changed, missing] = difference.rows!;
    assert.equal(changed.stores[primary.id], changed.stores[config.stores[1].id], 'primary and replica-1 hold the same values');
    assert.ok(changed.stores[replica2.id] && changed.stores[replica2.id] !== changed.stores[primary.id], 'replica-2 holds other values');
    assert.equal(missing.stores[replica2.id], null);
    assert.ok(missing.stores[primary.id]);

    const human = await runCli(['replicas', 'check', '--table', 'trades', '--since', String(day), '--rows', '1']);
    assert.equal(human.code, 1);
    assert.match(human.stdout, /trades 20330601 exchange=okx symbol=DRL\/USDT trade_id=drill-1: values differ: primary #\d+, replica-1 #\d+, replica-2 #\d+/);
    assert.doesNotMatch(human.stdout, /drill-2/);
    assert.match(human.stdout, /more rows differ \(raise --rows/);
    const quiet = await runCli(['replicas', 'check', '--table', 'trades', '--since', String(day), '--rows', '0', '--json']);
    assert.equal(quiet.code, 1);
    assert.equal((JSON.parse(quiet.stdout) as Report).tables[0].differences[0].rows, undefined, '--rows 0 lists no rows');

    // level the stores: the batch, written to replica-2 last, replaces its odd row
    await insertBatch({ store: replica2.id, batch: { batchId: 'cli-drill-1', table: 'trades', rows } });
    const level = await runCli(['replicas', 'check', '--table', 'trades', '--since', String(day)]);
    assert.equal(level.code, 0, level.stdout);
  });

  it('a store that does not answer is named once and left out: the rest are compared, exit 3; a store never repaired says so', async () => {
    const day = Date.UTC(2033, 6, 1);
    const rows = [0, 1].map((i): TradeRow => ({
      exchange: 'okx', marketType: 'swap', symbol: 'UNR/USDT', nativeSymbol: 'UNR-USDT',
      eventTime: day + i, receiveTime: day + i, tradeId: `unr-${i}`, price: 3 + i, amount: 1, side: 'buy', contractSize: null, baseAmount: null, quoteAmount: null,
    }));
    for (const s of config.stores) await insertBatch({ store: s.id, batch: { batchId: 'cli-unr-1', table: 'trades', rows } });
    // the same stack plus a store nobody runs
    const doc = parseYaml(readFileSync(process.env.MARKETPRISM_CONFIG!, 'utf8')) as { stores: Array<Record<string, unknown>> };
    doc.stores.push({ id: 'spare', url: `http://127.0.0.1:${await freePort()}`, database: 'marketprism' });
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'replicas-unreachable-')), 'marketprism.yaml');
    writeFileSync(file, stringifyYaml(doc));

    const check = await runCli(['--config', file, 'replicas', 'check', '--table', 'trades', '--since', String(day)]);
    assert.equal(check.code, 3, check.stderr);
    const lines = check.stdout.trim().split('\n');
    assert.match(lines[0], /^store not answering, left out: spare \(.+\); compared primary, replica-1, replica-2 only$/);
    assert.match(lines[1], /^stores identical: trades 2, batches \d+ rows$/);
    assert.equal(check.stdout.match(/spare/g)?.length, 1, 'named once, not once per table and day');

    const repair = await runCli(['--config', file, 'replicas', 'repair']);
    assert.equal(repair.code, 3, repair.stderr);
    assert.match(repair.stdout, /^store not answering, left out: spare \(.+\); their backlog is unknown until they answer: run `replicas repair` again then$/m);
    assert.doesNotMatch(repair.stdout, /spare: nothing missing/);

    const status = await runCli(['--config', file, 'replicas', 'status', 'spare']);
    assert.equal(status.code, 2);
    assert.match(status.stderr.trim(), /^marketprism: no repair has run for spare: it never missed a batch so far; `replicas repair --store spare` queues any it lacks$/);
  });
});
