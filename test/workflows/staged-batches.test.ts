import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Payload } from '@temporalio/common';
import { temporalClient } from '../../src/client/client';
import { CompressionCodec } from '../../src/client/compression-codec';
import type { FetchResult } from '../../src/domain/fetch';
import { collectQueue, STAGING_QUEUE_PREFIX, STORAGE_QUEUE } from '../../src/domain/task-queues';
import { eventually } from '../support/wait';
import { assertStoresHoldTruth, killAll, scaleConfig, spawnWorker, type WorkerProcess } from '../workers/worker-processes';
import { pauseSignal, resumeSignal } from '../../src/workflows/collector-api';
import { Collectors } from './collector-fixture';
import { restartTestStore, stopTestStore } from './redundant-write-support';

/**
 * Rows out of workflow history (issue 11, part 2; docs/design.md, "Rows out of workflow history"): a fetched
 * batch stays in the worker process that fetched it, history carries a reference, and the inserts go to that
 * process's own task queue. The process is killed with SIGKILL while its batch waits for quorum:
 *  - no store holds the batch yet (every store down): partial rows are removed and the batch is fetched again;
 *  - one store holds it (two stores down): the others get it copied from that store, never refetched.
 * Either way every store ends with exactly the simulator's trades, each once.
 */
const EXCHANGE = 'okx';
const QUEUE = collectQueue(EXCHANGE);

type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

/** Activity types scheduled in a collector's history, with the task queue each was sent to. */
async function scheduled(client: Client, workflowId: string): Promise<Array<{ type: string; queue: string; event: HistoryEvent }>> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  return events.flatMap((event) => {
    const a = event.activityTaskScheduledEventAttributes;
    return a ? [{ type: a.activityType?.name ?? '', queue: a.taskQueue?.name ?? '', event }] : [];
  });
}

/** The decoded results of the completed fetchTrades activities in a collector's history. */
async function fetchResults(client: Client, workflowId: string): Promise<FetchResult[]> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const fetches = new Set(events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'fetchTrades').map((e) => Number(e.eventId)));
  const out: FetchResult[] = [];
  for (const e of events) {
    const done = e.activityTaskCompletedEventAttributes;
    if (!done || !fetches.has(Number(done.scheduledEventId))) continue;
    const [decoded] = await new CompressionCodec().decode([done.result?.payloads?.[0] as Payload]);
    out.push(JSON.parse(Buffer.from(decoded.data ?? []).toString('utf8')) as FetchResult);
  }
  return out;
}

let lastPending = '';
/** The collector's pending insertStaged activities (one per store still to acknowledge) and their attempts. */
async function pendingStagedInserts(client: Client, workflowId: string): Promise<number[]> {
  const { raw } = await client.workflow.getHandle(workflowId).describe();
  lastPending = JSON.stringify((raw.pendingActivities ?? []).map((a) => ({ type: a.activityType?.name, attempt: a.attempt, state: a.state, failure: a.lastFailure?.message?.slice(0, 120) })));
  return (raw.pendingActivities ?? []).filter((a) => a.activityType?.name === 'insertStaged').map((a) => a.attempt ?? 0);
}

describe('staged batches: rows stay in the worker that fetched them', () => {
  // a database of its own: other tests store trades of the same symbols (some with made-up ids and times)
  const { file, config } = scaleConfig({}, {}, 'marketprism_staged');
  const workers: WorkerProcess[] = [];
  let client: Client;
  let collectors: Collectors;
  const fetcher = (): WorkerProcess => {
    const w = spawnWorker(file, ['--queues', QUEUE]);
    workers.push(w);
    return w;
  };

  before(async () => {
    client = await temporalClient(config);
    collectors = new Collectors(client, config);
    // repairs, the stores' answers and copies run here; the collectors' workflows, fetches and staged inserts in `fetcher`s
    workers.push(spawnWorker(file, ['--queues', STORAGE_QUEUE]));
  });

  after(async () => {
    await collectors?.stopAll();
    await client?.connection.close();
    await killAll(workers);
    for (const store of config.stores) await restartTestStore(config, store);
  });

  it('history carries references; the staging worker killed before any store holds its batch: partial rows removed, the batch fetched again', async () => {
    const symbol = 'BTC/USDT';
    const since = Date.now();
    const first = fetcher();
    const id = await collectors.start({ exchange: EXCHANGE, dataType: 'trades', symbols: [symbol], intervalMs: 300 });
    await collectors.waitFor(id, 'rows written', (s) => s.rowsWritten > 0, 120_000).catch((err: Error) => {
      throw new Error(`${err.message}; worker output: ${first.output().slice(-2_000)}`);
    });

    // what history holds: fetch results with references instead of rows, inserts sent to the fetching worker's queue
    const results = await fetchResults(client, id);
    const trades = results.flatMap((r) => r.batches.filter((b) => b.table === 'trades'));
    assert.ok(trades.length > 0, 'a fetch returned a trades batch');
    for (const batch of trades) {
      assert.ok('stagedOn' in batch && batch.stagedOn.startsWith(STAGING_QUEUE_PREFIX), `staged: ${JSON.stringify(batch).slice(0, 200)}`);
      assert.ok(!('rows' in batch), 'no rows in history');
    }
    const inserts = (await scheduled(client, id)).filter((a) => a.type === 'insertStaged' || a.type === 'insertBatch');
    assert.ok(inserts.length >= 3 && inserts.every((a) => a.type === 'insertStaged' && a.queue.startsWith(STAGING_QUEUE_PREFIX)), 'every insert went to the staging queue');

    // every store down: the next batch waits for quorum, staged in `first`, with no store holding it (paused
    // meanwhile, so that no batch is in flight while the stores stop one after the other)
    const handle = client.workflow.getHandle(id);
    await handle.signal(pauseSignal);
    await eventually('the collector paused with nothing in flight', async () => ((await handle.describe()).raw.pendingActivities?.length ? undefined : true), 60_000, 200);
    for (const store of config.stores) await stopTestStore(config, store);
    await handle.signal(resumeSignal);
    try {
      await eventually('the three staged inserts to have failed against the stopped stores', async () => {
        const attempts = await pendingStagedInserts(client, id);
        return attempts.length === config.stores.length && attempts.every((a) => a >= 2) ? true : undefined;
      }, 120_000, 500).catch((err: Error) => {
        throw new Error(`${err.message}; pending: ${lastPending}`);
      });
      await first.kill('SIGKILL');
    } finally {
      fetcher();
      for (const store of config.stores) await restartTestStore(config, store);
    }
    const killedAt = Date.now();

    await collectors.waitFor(id, 'writes again after the kill', (s) => (s.lastSuccessTime ?? 0) > killedAt, 180_000);
    const after = await scheduled(client, id);
    const recovery = after.filter((a) => a.type === 'discardPartialBatch');
    assert.ok(recovery.length >= config.stores.length, `each store was asked whether it holds the lost batch (${recovery.length})`);
    assert.equal(after.filter((a) => a.type === 'copyBatch').length, 0, 'no store held it: refetched, not copied');
    await collectors.stopAll();
    await assertStoresHoldTruth(config, EXCHANGE, symbol, since);
  });

  it('the staging worker killed after one store took its batch: the others copy it from that store (one still down), nothing is fetched twice', async () => {
    const symbol = 'ETH/USDT';
    const since = Date.now();
    const id = await collectors.start({ exchange: EXCHANGE, dataType: 'trades', symbols: [symbol], intervalMs: 300 });
    await collectors.waitFor(id, 'rows written', (s) => s.rowsWritten > 0, 120_000);
    const live = workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null).at(-1) as WorkerProcess;

    // two stores down: the first takes the next batch, which then waits for a second store
    const [back, stillDown] = config.stores.slice(1);
    for (const store of [back, stillDown]) await stopTestStore(config, store);
    let killed = false;
    try {
      await eventually('two staged inserts failing, the first store having taken the batch', async () => {
        const attempts = await pendingStagedInserts(client, id);
        return attempts.length === 2 && attempts.every((a) => a >= 2) ? true : undefined;
      }, 120_000, 500).catch((err: Error) => {
        throw new Error(`${err.message}; pending: ${lastPending}`);
      });
      await live.kill('SIGKILL');
      killed = true;
    } finally {
      fetcher();
      await restartTestStore(config, back);
      if (!killed) await restartTestStore(config, stillDown);
    }
    const killedAt = Date.now();

    // one store back is enough: the batch is copied there from the first, and the collector goes on, the third
    // store still down (it is not waited for: the first store is known to hold the batch)
    await collectors.waitFor(id, 'writes again after the kill, one store still down', (s) => (s.lastSuccessTime ?? 0) > killedAt, 180_000);
    const after = await scheduled(client, id);
    assert.ok(after.filter((a) => a.type === 'copyBatch').length >= 1, 'the store that came back got the batch copied');
    await restartTestStore(config, stillDown);
    await collectors.stopAll();
    // the third store gets what it missed by repair
    await assertStoresHoldTruth(config, EXCHANGE, symbol, since);
  });
});
