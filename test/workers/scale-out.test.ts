import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { temporalClient } from '../../src/client/client';
import { collectQueue, STORAGE_QUEUE } from '../../src/domain/task-queues';
import { eventually } from '../support/wait';
import { clearFaults, setFault } from '../support/simulator-admin';
import { Collectors } from '../workflows/collector-fixture';
import { assertStoresHoldTruth, killAll, scaleConfig, spawnWorker, status, taskIdentities, type StatusJson, type WorkerProcess } from './worker-processes';

/**
 * Workers as the unit of scale: three `marketprism worker` processes poll the same queues (collect-okx,
 * storage) and share the collectors' tasks; `status --json` shows each with its slots; one of them is killed
 * with SIGKILL while it runs a task, and the stores still hold exactly the simulator's trades, once each.
 */
const EXCHANGE = 'okx';
const SYMBOLS = ['BTC/USDT:USDT', 'ETH/USDT:USDT'];
const QUEUE = collectQueue(EXCHANGE);
const MAX_ACTIVITIES = 3;

describe('several worker processes on the same task queues', () => {
  // an okx request that hangs is given up after 3 s: fetches hold slots for a while, so the kill lands mid-task
  const { file, config } = scaleConfig({}, { okx: '3s' });
  const since = Date.now();
  const workers: WorkerProcess[] = [];
  let client: Client;
  let collectors: Collectors;
  const ids: string[] = [];

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

  const liveOn = (s: StatusJson, queue: string) => (s.workers ?? []).filter((w) => w.taskQueue === queue && workers.some((p) => p.identity === w.identity));

  it('share the work: each process runs some of the tasks, and status shows each with its slots', async () => {
    for (let i = 0; i < 3; i++) workers.push(spawnWorker(file, ['--queues', `${QUEUE},${STORAGE_QUEUE}`, '--max-activities', String(MAX_ACTIVITIES)]));
    const polling = (s: StatusJson) => workers.every((w) => s.queues?.find((q) => q.queue === QUEUE)?.activityPollers.includes(w.identity));
    const seen = await eventually('status to show the three workers on both queues, and Temporal their polls', async () => {
      const s = await status(file);
      return liveOn(s, QUEUE).length === 3 && liveOn(s, STORAGE_QUEUE).length === 3 && polling(s) ? s : undefined;
    }, 120_000, 500).catch((err: Error) => {
      throw new Error(`${err.message}; worker output: ${workers.map((w) => w.output().slice(-1_500)).join('\n---\n')}`);
    });
    for (const w of liveOn(seen, QUEUE)) {
      assert.equal(w.status, 'running');
      assert.equal(w.activitySlots.kind, 'Fixed');
      assert.equal(w.activitySlots.used + w.activitySlots.available, MAX_ACTIVITIES, `${w.identity}: --max-activities ${MAX_ACTIVITIES} slots`);
      assert.ok(w.heartbeatAgeMs < 5_000, `${w.identity}: heartbeat ${w.heartbeatAgeMs} ms ago`);
    }
    const queueSlots = seen.slots?.find((q) => q.queue === QUEUE);
    assert.ok(queueSlots && queueSlots.workers >= 3 && queueSlots.activity.used + queueSlots.activity.available >= 3 * MAX_ACTIVITIES, JSON.stringify(queueSlots));

    for (const symbol of SYMBOLS) ids.push(await collectors.start({ exchange: EXCHANGE, dataType: 'trades', symbols: [symbol], intervalMs: 300 }));
    // every process runs some of the fetches and writes (a collector's workflow tasks stay with the worker that
    // has it cached, its sticky queue, so with two collectors not every process runs workflow tasks)
    // accumulated over polls: a collector that continues as new starts a fresh history
    const activities = new Set<string>();
    await eventually('each process to have run activities', async () => {
      for (const id of ids) (await taskIdentities(client, id)).activities.forEach((x) => activities.add(x));
      return workers.every((w) => activities.has(w.identity)) ? true : undefined;
    }, 120_000, 1_000).catch((err: Error) => {
      throw new Error(`${err.message}; activities were run by ${[...activities].join(', ')}; the workers are ${workers.map((w) => w.identity).join(', ')}`);
    });
  });

  it('SIGKILL of one of the three mid-task loses nothing: every store holds the ground truth, once', async () => {
    assert.equal(ids.length, SYMBOLS.length, 'the collectors of the first test run');
    // a fifth of okx requests hang until the 3 s timeout: fetches stay in flight long enough to be caught
    await setFault(config, { exchange: EXCHANGE, mode: 'hang', rate: 0.2 });
    const victim = workers[0];
    const busy = await eventually('the victim to report an activity in flight', async () => {
      const s = await status(file);
      return liveOn(s, QUEUE).find((w) => w.identity === victim.identity && w.activitySlots.used > 0);
    }, 120_000, 200);
    await victim.kill('SIGKILL');
    const killedAt = Date.now();
    assert.ok(busy.activitySlots.used > 0);

    // status drops the dead process within a few of its 1 s heartbeats; the other two stay
    const afterKill = await eventually('status to stop listing the killed worker', async () => {
      const s = await status(file);
      return liveOn(s, QUEUE).some((w) => w.identity === victim.identity) ? undefined : s;
    }, 30_000, 500);
    assert.deepEqual(liveOn(afterKill, QUEUE).map((w) => w.identity).sort(), workers.slice(1).map((w) => w.identity).sort());

    await clearFaults(config);
    // the fetch the victim held times out (start-to-close 30 s) and runs again on a survivor; then catch up
    for (const id of ids) await collectors.waitFor(id, 'a fetch well after the kill', (s) => (s.lastSuccessTime ?? 0) > killedAt + 35_000, 120_000);
    const statuses = await Promise.all(ids.map((id) => collectors.status(id)));
    await collectors.stopAll();

    for (const [i, symbol] of SYMBOLS.entries()) {
      assert.equal(statuses[i].gapsFound, 0, `${symbol}: no gap found`);
      const expected = await assertStoresHoldTruth(config, EXCHANGE, symbol, since);
      // the run lasts at least the 35 s after the kill waited for above (it failed once in CI at 40 s: 701 trades)
      assert.ok(expected.length > 30 * config.simulator.tradesPerSecond, `${symbol}: ${expected.length} trades span the run`);
    }
    // the survivors are still running
    assert.deepEqual(workers.slice(1).map((w) => w.child.exitCode), [null, null]);
  });
});
