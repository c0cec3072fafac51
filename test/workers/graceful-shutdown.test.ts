import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { temporalClient } from '../../src/client/client';
import { collectQueue, STORAGE_QUEUE } from '../../src/domain/task-queues';
import { eventually } from '../support/wait';
import { clearFaults, setFault } from '../support/simulator-admin';
import { Collectors } from '../workflows/collector-fixture';
import { duplicateTrades, killAll, scaleConfig, spawnWorker, status, storedTrades, truthTradeIds, type WorkerProcess } from './worker-processes';

/**
 * SIGTERM drains: the worker polls nothing new, finishes the task it holds and reports its outcome to
 * Temporal, then exits 0. The proof that it handed the task back rather than dropping it: the collector's next
 * fetch runs on the other worker long before the task's start-to-close timeout (30 s), which is when Temporal
 * would retry a task whose worker vanished (SIGKILL).
 */
const EXCHANGE = 'okx';
const SYMBOL = 'ETH/USDT';
const START_TO_CLOSE_MS = 30_000;
const GRACE_MS = 20_000;
/** temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED */
const STARTED = 2;

describe('SIGTERM drains a worker', () => {
  // okx requests that hang are given up after 3 s, well inside the 20 s grace
  const { file, config } = scaleConfig({ shutdownGraceTime: `${GRACE_MS / 1000}s` }, { okx: '3s' });
  const since = Date.now();
  const workers: WorkerProcess[] = [];
  let client: Client;
  let collectors: Collectors;

  before(async () => {
    client = await temporalClient(config);
    collectors = new Collectors(client, config);
  });

  after(async () => {
    await clearFaults(config);
    await collectors?.stopAll();
    await client?.connection.close();
    await killAll(workers);
  });

  it('finishes or hands back the task in flight, exits 0, and the data stays complete', async () => {
    for (let i = 0; i < 2; i++) workers.push(spawnWorker(file, ['--queues', `${collectQueue(EXCHANGE)},${STORAGE_QUEUE}`]));
    await eventually('status to show both workers', async () => {
      const s = await status(file);
      return workers.every((w) => s.workers?.some((r) => r.identity === w.identity && r.taskQueue === collectQueue(EXCHANGE))) ? true : undefined;
    }, 120_000, 500);
    const id = await collectors.start({ exchange: EXCHANGE, dataType: 'trades', symbols: [SYMBOL], intervalMs: 300 });
    await collectors.waitFor(id, 'first rows', (s) => s.rowsWritten >= 20, 60_000);

    // every okx request hangs: whichever worker runs the next fetch holds it for 3 s
    await setFault(config, { exchange: EXCHANGE, mode: 'hang' });
    const handle = client.workflow.getHandle(id);
    const holder = await eventually('a worker to hold a fetch', async () => {
      const { raw } = await handle.describe();
      const fetch = (raw.pendingActivities ?? []).find((a) => Number(a.state) === STARTED && a.lastWorkerIdentity);
      return workers.find((w) => w.identity === fetch?.lastWorkerIdentity);
    }, 60_000, 100);
    const other = workers.find((w) => w !== holder)!;
    holder.child.kill('SIGTERM');
    const terminatedAt = Date.now();
    await clearFaults(config);

    const exit = await holder.exited;
    assert.equal(exit.code, 0, `the drained worker exits 0 (signal ${exit.signal}); output: ${holder.output().slice(-2_000)}`);
    assert.ok(exit.at - terminatedAt < GRACE_MS, `it drained within the grace (${exit.at - terminatedAt} ms)`);
    assert.match(holder.output(), /draining: no new tasks/);
    assert.match(holder.output(), /drained: every worker stopped/);

    // the fetch the holder reported back was retried at once on the other worker, not after its timeout
    const next = await collectors.waitFor(id, 'a fetch after the SIGTERM', (s) => (s.lastSuccessTime ?? 0) > terminatedAt, 60_000);
    assert.ok(next.lastSuccessTime! - terminatedAt < START_TO_CLOSE_MS - 5_000, `next fetch ${next.lastSuccessTime! - terminatedAt} ms after SIGTERM, before the task could have timed out`);
    assert.equal(other.child.exitCode, null, 'the other worker still runs');
    await collectors.waitFor(id, 'caught up', (s) => (s.lastSuccessTime ?? 0) > terminatedAt + 5_000, 60_000);
    const final = await collectors.status(id);
    await collectors.stopAll();

    assert.equal(final.gapsFound, 0);
    const read = () => Promise.all(config.stores.map((store) => storedTrades(config, EXCHANGE, SYMBOL, since, store)));
    const held = await eventually('every store to hold as many trades', async () => {
      const all = await read();
      return all.every((h) => h.ids.length > 0 && h.ids.length === all[0].ids.length) ? all : undefined;
    }, 60_000, 500).catch(read);
    const expected = await truthTradeIds(config, EXCHANGE, SYMBOL, held[0]);
    assert.ok(expected.length > 0);
    for (const [k, store] of config.stores.entries()) {
      assert.deepEqual(held[k].ids, expected, `${store.id} holds exactly the simulator's trades`);
      assert.equal(await duplicateTrades(store, EXCHANGE, SYMBOL, since), 0, `${store.id} holds no trade under two batches`);
    }
  });
});
