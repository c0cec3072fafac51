import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { storageActivities } from '../../src/activities/storage';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import type { Batch } from '../../src/domain/batch';
import { STORAGE_QUEUE } from '../../src/domain/task-queues';
import { withOverrides } from '../../src/reliability/policies';
import { batchSummary } from '../../src/storage/batch-rows';
import { storeClient } from '../../src/storage/client';
import { ledgerEntry } from '../../src/storage/ledger';
import type { CollectionGapRow, QuarantineRow } from '../../src/domain/rows';
import { temporalClient } from '../../src/client/client';
import { CompressionCodec } from '../../src/client/compression-codec';
import { repairStatus } from '../../src/client/replicas';
import { startWorkers, type RunningWorkers } from '../../src/workers/start-workers';
import type { RedundantWriteResult } from '../../src/workflows/redundant-write';
import { repairWorkflowId, type ReplicaRepairInput } from '../../src/workflows/replica-repair-api';
import { dataConverter } from '../../src/client/data-converter';
import { workflowBundle } from '../../src/workers/workflow-bundle';
import { hintSignal, repairStatusQuery } from '../../src/workflows/replica-repair-api';
import { runCli, runCliJson } from '../support/cli';
import { eventually } from '../support/wait';
import { restartTestStore, stopTestStore } from './redundant-write-support';

/**
 * Collectors write quarantine and collection_gaps batches through the same quorum path as market data, so a
 * store that is down misses them too. This test writes such batches while a store is down and expects its
 * repair workflow to make it identical, copying each batch by its id, with the worker config's reliability overrides (policies.writes)
 * carried in the repair workflow's input, also across continue-as-new.
 */

/** 2035-06-01: a day of received / from times no other test writes. */
const DAY = Date.UTC(2035, 5, 1);
/** Small enough that the repair workflow continues-as-new during this test (the default is 5,000 events). */
const HISTORY_EVENTS = 30;

function quarantineBatch(n: number): Batch {
  const rows = Array.from({ length: 3 }, (_, i): QuarantineRow => ({
    exchange: 'okx',
    dataType: 'trades',
    symbol: 'BKQ/USDT',
    reason: `price is not a number (${n}.${i})`,
    raw: JSON.stringify({ id: `q${n}-${i}`, px: 'NaN', note: 'ünïcode, "quotes"' }),
    receivedAt: DAY + n * 60_000 + i,
  }));
  return { batchId: `bk-quarantine-${n}`, table: 'quarantine', rows } as unknown as Batch;
}

function gapBatch(n: number): Batch {
  const rows = Array.from({ length: 2 }, (_, i): CollectionGapRow => ({
    exchange: 'okx',
    dataType: 'trades',
    symbol: `BKG${i}/USDT`,
    fromTime: DAY + n * 3_600_000,
    toTime: DAY + n * 3_600_000 + 30_000,
    reason: 'history no longer served',
    detectedAt: DAY + n * 3_600_000 + 60_000,
  }));
  return { batchId: `bk-gaps-${n}`, table: 'collection_gaps', rows } as unknown as Batch;
}

async function decodedInput(payloads: Payload[] | null | undefined): Promise<ReplicaRepairInput> {
  const [decoded] = await new CompressionCodec().decode(payloads ?? []);
  return defaultPayloadConverter.fromPayload<ReplicaRepairInput>(decoded);
}

describe('replica repair of bookkeeping batches (quarantine, collection_gaps)', () => {
  const base = loadConfig();
  // The worker's config overrides the writes policies: the hintRepair activity must hand them to the repair workflow.
  const config: Config = { ...base, reliability: { ...base.reliability, writes: { quorumGraceMs: 1_000, repairHistoryEvents: HISTORY_EVENTS, repairProbeMaxDelayMs: 2_000 } } };
  const policies = withOverrides(config.reliability);
  const [primary, replica1, replica2] = config.stores;
  const { hasBatch, migrate } = storageActivities(config);
  let workers: RunningWorkers;
  let client: Client;

  before(async () => {
    for (const s of config.stores) await migrate({ store: s.id });
    client = await temporalClient(config);
    // A repair workflow left running by an earlier test file was started with the default policies; with
    // nothing pending it holds no state worth keeping, so end it and let this test's writes start it anew.
    workers = await startWorkers(config, { queues: [STORAGE_QUEUE], identity: 'bookkeeping-repair-test' });
    const handle = client.workflow.getHandle(repairWorkflowId(replica2.id));
    if (await handle.describe().then((d) => d.status.name === 'RUNNING', () => false)) {
      await eventually('earlier repair workflow idle', async () => ((await repairStatus(client, replica2.id)).pending === 0 ? true : undefined), 60_000);
      await handle.terminate('replica-repair-bookkeeping test restarts it with overridden policies');
    }
  });

  after(async () => {
    await restartTestStore(config, replica2); // later test files need the whole stack
    await workers?.shutdown();
    await client?.connection.close();
  });

  it('a store down while quarantine and gap batches are written is repaired to identical, under the config policies', async () => {
    const batches = [quarantineBatch(0), quarantineBatch(1), quarantineBatch(2), gapBatch(0), gapBatch(1), gapBatch(2)];
    await stopTestStore(config, replica2);
    const stores = config.stores.map((s) => s.id);
    const results = (await Promise.all(
      batches.map(async (batch) =>
        (await client.workflow.start('RedundantWriteWorkflow', { workflowId: `write/${batch.batchId}`, taskQueue: STORAGE_QUEUE, args: [{ batch, stores, quorum: config.writeQuorum, policies }] })).result(),
      ),
    )) as RedundantWriteResult[];
    for (const r of results) assert.deepEqual(r.lagging, [replica2.id], `${r.batchId} left to repair`);
    for (const b of batches) {
      assert.equal(await hasBatch({ store: primary.id, batchId: b.batchId }), true);
      assert.equal(await hasBatch({ store: replica1.id, batchId: b.batchId }), true);
    }

    const waiting = await eventually('repair workflow holding the six bookkeeping batches', async () => {
      const s = await repairStatus(client, replica2.id);
      return s.pending >= 6 && s.healthy === false ? s : undefined;
    }, 30_000);
    assert.equal(waiting.repaired, 0);
    const differs = await runCli(['replicas', 'check', '--table', 'quarantine', '--since', String(DAY)]);
    assert.equal(differs.code, 3, 'the store that is down is named, exit 3');
    assert.match(differs.stdout, new RegExp(`^store not answering, left out: ${replica2.id} `));

    await restartTestStore(config, replica2);
    const done = await eventually('every bookkeeping batch repaired', async () => {
      const s = await repairStatus(client, replica2.id);
      return s.pending === 0 && s.repaired >= 6 ? s : undefined;
    }, 90_000, 500);
    assert.deepEqual(done.failed, []);
    for (const b of batches) assert.equal(await hasBatch({ store: replica2.id, batchId: b.batchId }), true, `${b.batchId} in ${replica2.id}'s ledger`);
    // copied by batch id, as market batches are: the repaired store proves each batch's rows by id against the
    // primary's ledger entry (count and checksum)
    for (const b of batches) {
      const entry = await ledgerEntry(storeClient(primary), primary.database, b.batchId);
      assert.deepEqual(await batchSummary(storeClient(replica2), replica2.database, b.table, b.batchId), { rows: b.rows.length, checksum: entry?.checksum }, b.batchId);
    }

    for (const table of ['quarantine', 'collection_gaps']) {
      const check = await runCliJson<{ identical: boolean; tables: Array<{ table: string; stores: Array<{ store: string; rows: number }> }> }>([
        'replicas', 'check', '--table', table, '--since', String(DAY), '--json',
      ]);
      assert.equal(check.identical, true, `${table}: ${JSON.stringify(check)}`);
      const rows = check.tables.find((t) => t.table === table)?.stores.map((s) => s.rows);
      assert.deepEqual(rows, table === 'quarantine' ? [9, 9, 9] : [6, 6, 6], table);
    }

    // The policies travelled: the run that repaired holds them in its input, and the workflow continued-as-new
    // at the overridden history bound (the default would need 5,000 events).
    const handle = client.workflow.getHandle(repairWorkflowId(replica2.id));
    const history = await handle.fetchHistory();
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    assert.ok(started?.continuedExecutionRunId, 'the repair workflow continued-as-new');
    const input = await decodedInput(started?.input?.payloads);
    assert.equal(input.policies?.writes.repairHistoryEvents, HISTORY_EVENTS);
    assert.equal(input.policies?.writes.repairProbeMaxDelayMs, 2_000);
    assert.equal(input.store, replica2.id);
  });

  it('an input without policies (as runs started before the field existed) still runs, on the defaults, and replays', async () => {
    // Its own workflow id, so the store's real repair workflow is left alone.
    const workflowId = `repair-legacy-input/${replica1.id}`;
    const legacy = { store: replica1.id, sources: [primary.id] }; // no `policies`
    const handle = await client.workflow.start('ReplicaRepairWorkflow', { workflowId, taskQueue: STORAGE_QUEUE, args: [legacy] });
    // replica-1 already holds this batch: the copy answers from its ledger.
    await handle.signal(hintSignal, { hints: [{ batchId: 'bk-gaps-0', table: 'collection_gaps' }] });
    const status = await eventually('the hinted batch handled', async () => {
      const s = await handle.query(repairStatusQuery);
      return s.pending === 0 && s.alreadyPresent === 1 ? s : undefined;
    }, 30_000);
    assert.deepEqual(status.failed, []);
    await handle.terminate('test done');
    const history = await handle.fetchHistory();
    assert.equal((await decodedInput(history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads)).policies, undefined);
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter }, history, workflowId);
  });
});
