import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../../src/config/load';
import { STORAGE_QUEUE } from '../../src/domain/task-queues';
import { openAlerts } from '../../src/storage/open-alerts';
import { temporalClient } from '../../src/client/client';
import { repairStatus } from '../../src/client/replicas';
import { startWorkers, type RunningWorkers } from '../../src/workers/start-workers';
import type { RedundantWriteResult } from '../../src/workflows/redundant-write';
import { runCli, runCliJson } from '../support/cli';
import { eventually } from '../support/wait';
import { holding, restartTestStore, startWrite, stopTestStore, TEST_EPOCH, tradeBatches, tradeIdsOf } from './redundant-write-support';

/**
 * RedundantWriteWorkflow against the test stack's three ClickHouse servers and its Temporal server, with an
 * in-process storage worker: all stores up, then one store down for a whole run and repaired afterwards.
 */
describe('redundant writes: quorum, hints and repair', () => {
  const config = loadConfig();
  const [primary, replica1, replica2] = config.stores;
  let workers: RunningWorkers;
  let client: Client;

  before(async () => {
    workers = await startWorkers(config, { queues: [STORAGE_QUEUE], identity: 'redundant-write-test' });
    client = await temporalClient(config);
  });

  after(async () => {
    await restartTestStore(config, replica2); // later test files need the whole stack
    await workers?.shutdown();
    await client?.connection.close();
  });

  it('all stores up: every batch lands in every store exactly once, and a replayed batch is a no-op', async () => {
    const symbol = 'RWA/USDT';
    const batches = tradeBatches('rw-all', symbol, 12, 25, TEST_EPOCH);
    const handles = await Promise.all(batches.map((b) => startWrite(client, config, b)));
    const results = (await Promise.all(handles.map((h) => h.result()))) as RedundantWriteResult[];
    for (const r of results) {
      assert.deepEqual([...r.acknowledged].sort(), config.stores.map((s) => s.id).sort(), `${r.batchId} acknowledged by all`);
      assert.deepEqual(r.lagging, []);
      assert.equal(r.alerted, false);
    }
    // The same batch again (a collector retry after a crash): every store answers from its ledger.
    const again = (await (await startWrite(client, config, batches[3], 'write/rw-all-3-again')).result()) as RedundantWriteResult;
    assert.equal(again.acknowledged.length, 3);

    const sent = tradeIdsOf(batches);
    for (const store of config.stores) {
      assert.deepEqual(await holding(store, symbol, 'rw-all', sent), { ledger: 12, rows: 300, distinctTrades: 300, foreign: 0 }, store.id);
    }
    const check = await runCli(['replicas', 'check', '--table', 'trades', '--since', String(TEST_EPOCH)]);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    assert.match(check.stdout, /stores identical/);
  });

  it('one store down for the whole run: quorum on the others, an alert, then repair makes it identical', async () => {
    const symbol = 'RWB/USDT';
    const since = TEST_EPOCH + 9 * 86_400_000; // a day of its own (the other redundant-write tests use days 0-4)
    const batches = tradeBatches('rw-one', symbol, 8, 20, since);
    const sent = tradeIdsOf(batches);
    // Other test files may have used this store's repair workflow before: count from where it stands.
    const before = await repairStatus(client, replica2.id).catch(() => undefined);
    const copiedBefore = (before?.repaired ?? 0) + (before?.alreadyPresent ?? 0);
    await stopTestStore(config, replica2);

    const handles = await Promise.all(batches.map((b) => startWrite(client, config, b)));
    const results = (await Promise.all(handles.map((h) => h.result()))) as RedundantWriteResult[];
    for (const r of results) {
      assert.deepEqual([...r.acknowledged].sort(), [primary.id, replica1.id].sort(), `${r.batchId} reached quorum without ${replica2.id}`);
      assert.deepEqual(r.lagging, [replica2.id]);
    }
    for (const store of [primary, replica1]) assert.deepEqual(await holding(store, symbol, 'rw-one', sent), { ledger: 8, rows: 160, distinctTrades: 160, foreign: 0 });

    // The store's repair workflow holds every missed batch and says the store is down; an alert is open.
    const waiting = await eventually('repair workflow holding the 8 batches, store unhealthy', async () => {
      const s = await repairStatus(client, replica2.id);
      return s.pending >= 8 && s.healthy === false ? s : undefined;
    }, 30_000);
    assert.equal(waiting.repaired + waiting.alreadyPresent, copiedBefore, 'nothing copied while the store is down');
    await eventually('an open alert about the lagging store', async () => {
      const { alerts } = await openAlerts(config);
      return alerts.find((a) => a.key === `replica-lagging/${replica2.id}`);
    }, 30_000);
    const differs = await runCli(['replicas', 'check', '--table', 'trades', '--since', String(since)]);
    assert.equal(differs.code, 3, 'replicas check names the store that does not answer, exit 3');
    assert.match(differs.stdout, new RegExp(`^store not answering, left out: ${replica2.id} `));

    await restartTestStore(config, replica2);
    const done = await eventually('repair done', async () => {
      const s = await repairStatus(client, replica2.id);
      return s.pending === 0 && s.repaired + s.alreadyPresent >= copiedBefore + 8 ? s : undefined;
    }, 60_000);
    assert.deepEqual(done.failed.filter((f) => f.batchId.startsWith('rw-one')), []);
    assert.deepEqual(await holding(replica2, symbol, 'rw-one', sent), { ledger: 8, rows: 160, distinctTrades: 160, foreign: 0 });

    // (--since is a lower bound: later test data, left identical by its own tests, is compared as well)
    const check = await runCliJson<{ identical: boolean; tables: Array<{ table: string; differences: unknown[] }> }>(['replicas', 'check', '--table', 'trades', '--since', String(since)]);
    assert.equal(check.identical, true);
    assert.deepEqual(check.tables[0].differences, []);
    await eventually('the lagging-store alert resolved', async () => {
      const { alerts } = await openAlerts(config);
      return alerts.some((a) => a.key === `replica-lagging/${replica2.id}`) ? undefined : true;
    }, 30_000);
  });
});
