import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../../src/config/load';
import { startTemporal, stopTemporal } from '../../src/services/temporal';
import { temporalClient } from '../../src/client/client';
import { repairStatus } from '../../src/client/replicas';
import { runCliJson } from '../support/cli';
import { eventually } from '../support/wait';
import {
  holding,
  restartTestStore,
  spawnStorageWorker,
  startWrite,
  stopTestStore,
  TEST_EPOCH,
  tradeBatches,
  tradeIdsOf,
  waitForWorkflows,
  writeWorkflowId,
  type WorkerProcess,
} from './redundant-write-support';

const DAY = 86_400_000;

/**
 * Crashes in the middle of writes, with workers as real child processes (`marketprism worker --queues
 * storage`) killed with SIGKILL, and the Temporal dev server restarted on its SQLite file.
 */
describe('redundant writes through crashes', () => {
  const config = loadConfig();
  const workers: WorkerProcess[] = [];
  let client: Client;

  const spawnWorker = (): WorkerProcess => {
    const w = spawnStorageWorker();
    workers.push(w);
    return w;
  };

  before(async () => {
    client = await temporalClient(config);
  });

  after(async () => {
    for (const w of workers) await w.kill('SIGTERM');
    await startTemporal(config); // no-op when healthy
    for (const store of config.stores) await restartTestStore(config, store);
    await client?.connection.close();
  });

  it('kill -9 of the worker mid-writes and a Temporal restart: afterwards every batch exactly once in every store', async () => {
    const symbol = 'RWD/USDT';
    const batches = tradeBatches('rw-crash', symbol, 30, 10, TEST_EPOCH + 3 * DAY);
    const sent = tradeIdsOf(batches);
    const first = spawnWorker();
    await Promise.all(batches.map((b) => startWrite(client, config, b)));
    await eventually('the first batch in the primary', async () => ((await holding(config.stores[0], symbol, 'rw-crash', sent)).ledger > 0 ? true : undefined), 60_000, 100).catch((err: Error) => {
      throw new Error(`${err.message}; worker output: ${first.output()}`);
    });
    await first.kill('SIGKILL');
    const inStoreAtKill = (await holding(config.stores[0], symbol, 'rw-crash', sent)).ledger;

    assert.equal(await stopTemporal(config), true, 'the Temporal dev server was running');
    await startTemporal(config);
    spawnWorker();
    await waitForWorkflows(client, batches.map(writeWorkflowId), 180_000);
    for (const store of config.stores) {
      // A store whose insert was in flight on the killed worker past the grace gets its copy by repair.
      await eventually(`${store.id} holds every batch`, async () => ((await holding(store, symbol, 'rw-crash', sent)).ledger === 30 ? true : undefined), 90_000, 500);
      assert.deepEqual(await holding(store, symbol, 'rw-crash', sent), { ledger: 30, rows: 300, distinctTrades: 300, foreign: 0 }, store.id);
    }
    assert.ok(inStoreAtKill < 30, `the worker was killed mid-writes (${inStoreAtKill} of 30 batches were in)`);
  });

  it('acceptance: 1,000 messages sent, 1,000 in every store exactly once, with a store and a worker killed during the send', async () => {
    const symbol = 'RWE/USDT';
    const batches = tradeBatches('rw-accept', symbol, 100, 10, TEST_EPOCH + 4 * DAY);
    const sent = tradeIdsOf(batches);
    assert.equal(sent.size, 1_000);
    const [victimWorker] = [spawnWorker(), spawnWorker()];
    const victimStore = config.stores[1];

    let killed: Promise<unknown> = Promise.resolve();
    for (const [i, batch] of batches.entries()) {
      await startWrite(client, config, batch);
      if (i === 30) killed = Promise.all([victimWorker.kill('SIGKILL'), stopTestStore(config, victimStore)]);
    }
    await killed;
    await waitForWorkflows(client, batches.map(writeWorkflowId), 240_000);
    await restartTestStore(config, victimStore);

    await eventually(`${victimStore.id} repaired`, async () => {
      const s = await repairStatus(client, victimStore.id);
      return s.pending === 0 && (await holding(victimStore, symbol, 'rw-accept', sent)).ledger === 100 ? true : undefined;
    }, 120_000, 500);
    for (const store of config.stores) {
      assert.deepEqual(await holding(store, symbol, 'rw-accept', sent), { ledger: 100, rows: 1_000, distinctTrades: 1_000, foreign: 0 }, store.id);
    }
    const check = await runCliJson<{ identical: boolean }>(['replicas', 'check', '--table', 'trades', '--since', String(TEST_EPOCH + 4 * DAY)]);
    assert.equal(check.identical, true);
  });
});
