import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storageActivities } from '../../src/activities/storage';
import { loadConfig } from '../../src/config/load';
import type { TradeRow } from '../../src/domain/rows';
import { STORAGE_QUEUE } from '../../src/domain/task-queues';
import { startWorkers, type RunningWorkers } from '../../src/workers/start-workers';
import { runCli, runCliJson } from '../support/cli';
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
      eventTime: SINCE + i, receiveTime: SINCE + i, tradeId: `cli-${i}`, price: 1 + i, amount: 2, side: 'sell',
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

    const repair = await runCliJson<Array<{ store: string; missing: number; workflowId: string | null }>>(['replicas', 'repair', '--store', replica2.id]);
    assert.equal(repair.length, 1);
    assert.ok(repair[0].missing >= 1);
    assert.equal(repair[0].workflowId, `repair/${replica2.id}`);
    await eventually('replica-2 holds the batch', async () => ((await hasBatch({ store: replica2.id, batchId: 'cli-batch-1' })) ? true : undefined), 60_000);
    await eventually('check passes', async () => ((await runCli(['replicas', 'check', '--table', 'trades', '--since', String(SINCE)])).code === 0 ? true : undefined), 30_000, 1_000);
    const status = await runCliJson<{ pending: number; repaired: number }>(['replicas', 'status', replica2.id]);
    assert.ok(status.repaired >= 1);
    assert.equal(await hasBatch({ store: primary.id, batchId: 'cli-batch-1' }), true);
  });
});
