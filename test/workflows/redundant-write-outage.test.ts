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
import { eventually } from '../support/wait';
import { holding, restartTestStore, resultOf, startWrite, stopTestStore, TEST_EPOCH, tradeBatches, tradeIdsOf, writeWorkflowId } from './redundant-write-support';

/** Two of three stores down: no write reaches quorum, none is lost; when one store returns they all complete. */
describe('redundant writes without quorum', () => {
  const config = loadConfig();
  const [primary, replica1, replica2] = config.stores;
  let workers: RunningWorkers;
  let client: Client;

  before(async () => {
    workers = await startWorkers(config, { queues: [STORAGE_QUEUE], identity: 'redundant-write-outage-test' });
    client = await temporalClient(config);
  });

  after(async () => {
    await restartTestStore(config, replica1);
    await restartTestStore(config, replica2);
    await workers?.shutdown();
    await client?.connection.close();
  });

  it('two stores down: nothing completes and an alert is raised per batch; one returns: every pending batch completes', async () => {
    const symbol = 'RWC/USDT';
    const batches = tradeBatches('rw-outage', symbol, 5, 20, TEST_EPOCH + 2 * 86_400_000);
    const sent = tradeIdsOf(batches);
    await stopTestStore(config, replica1);
    await stopTestStore(config, replica2);
    await Promise.all(batches.map((b) => startWrite(client, config, b)));

    // The one store up holds every batch; the writes wait for a second store, each with an open alert.
    await eventually('the primary holds all 5 batches', async () => ((await holding(primary, symbol, 'rw-outage', sent)).ledger === 5 ? true : undefined), 30_000);
    const alertKeys = batches.map((b) => `quorum-lost/trades/${b.batchId}`);
    await eventually('a quorum alert for every batch', async () => {
      const open = new Set((await openAlerts(config)).alerts.map((a) => a.key));
      return alertKeys.every((k) => open.has(k)) ? true : undefined;
    }, 60_000, 1_000);
    for (const b of batches) {
      const d = await client.workflow.getHandle(writeWorkflowId(b)).describe();
      assert.equal(d.status.name, 'RUNNING', `${b.batchId} waits for quorum`);
    }
    assert.deepEqual(await holding(primary, symbol, 'rw-outage', sent), { ledger: 5, rows: 100, distinctTrades: 100, foreign: 0 });

    await restartTestStore(config, replica1);
    const results: RedundantWriteResult[] = await Promise.all(batches.map((b) => resultOf(client, b)));
    for (const r of results) {
      assert.deepEqual([...r.acknowledged].sort(), [primary.id, replica1.id].sort(), r.batchId);
      assert.deepEqual(r.lagging, [replica2.id]);
      assert.equal(r.alerted, true);
    }
    await eventually('quorum alerts resolved', async () => {
      const open = new Set((await openAlerts(config)).alerts.map((a) => a.key));
      return alertKeys.some((k) => open.has(k)) ? undefined : true;
    }, 30_000);

    // The store still down was hinted; once back, repair brings it level: every batch once in every store.
    await restartTestStore(config, replica2);
    await eventually('replica-2 repaired', async () => {
      const s = await repairStatus(client, replica2.id);
      return s.pending === 0 && !s.overflowed && (await holding(replica2, symbol, 'rw-outage', sent)).ledger === 5 ? true : undefined;
    }, 60_000, 500);
    for (const store of config.stores) {
      assert.deepEqual(await holding(store, symbol, 'rw-outage', sent), { ledger: 5, rows: 100, distinctTrades: 100, foreign: 0 }, store.id);
    }
  });
});
