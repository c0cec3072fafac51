import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { loadConfig } from '../../src/config/load';
import { collectQueue, STORAGE_QUEUE } from '../../src/domain/task-queues';
import { dataConverter } from '../../src/client/data-converter';
import { workflowBundle } from '../../src/workers/workflow-bundle';
import { pauseSignal, resumeSignal, updateSignal } from '../../src/workflows/collector-api';
import { collectorHarness } from './collector-fixture';
import { startWrite, tradeBatches } from './redundant-write-support';

/**
 * Histories of real runs (fetches, child writes, signals, continue-as-new, a gap-free back-fill) replay against
 * the current workflow bundle without nondeterminism errors: the guard for every later change to the workflows.
 * Histories of earlier versions are kept in histories/ (History protobufs, as fetchHistory() returns them), so
 * a change that would break a long-running collector fails here and needs a patch (workflow `patched()`).
 */
describe('workflow replay', () => {
  const config = loadConfig();
  const h = collectorHarness(config, [collectQueue('okx'), collectQueue('binanceusdm'), STORAGE_QUEUE], 'replay');

  it('replays recorded collector and write histories with the current code', async () => {
    const trades = await h.collectors.start({ exchange: 'okx', dataType: 'trades', symbols: ['BTC/USDT'], intervalMs: 200, maxHistoryEvents: 60 });
    const ratios = await h.collectors.start({ exchange: 'binanceusdm', dataType: 'lsr_top_position', symbols: ['BTC/USDT:USDT'], intervalMs: 300 });
    await h.collectors.waitFor(trades, 'rows', (s) => s.rowsWritten > 0);
    const handle = h.client.workflow.getHandle(trades);
    await handle.signal(pauseSignal);
    await h.collectors.waitFor(trades, 'paused', (s) => s.paused);
    await handle.signal(resumeSignal);
    await handle.signal(updateSignal, { symbols: ['BTC/USDT', 'ETH/USDT'], intervalMs: 250 });
    await h.collectors.waitFor(trades, 'two runs after the update', (s) => s.runs >= 3 && s.symbols.length === 2, 90_000);
    await h.collectors.waitFor(ratios, 'rows', (s) => s.rowsWritten > 0);
    await h.collectors.stopAll();

    const runs: Array<{ workflowId: string; runId: string }> = [];
    for await (const wf of h.client.workflow.list({ query: `WorkflowId = '${trades}' OR WorkflowId = '${ratios}'` })) runs.push(wf);
    // batches written by their own RedundantWriteWorkflow (collectors write inline)
    for (const batch of tradeBatches(`replay-${Date.now()}`, 'BTC/USDT', 2, 3)) {
      const handle = await startWrite(h.client, config, batch);
      await handle.result();
      runs.push({ workflowId: handle.workflowId, runId: (await handle.describe()).runId });
    }
    assert.ok(runs.length >= 3 + 1 + 2, `runs to replay: ${runs.length}`);
    const histories = await Promise.all(
      runs.map(async ({ workflowId, runId }) => ({ workflowId, history: await h.client.workflow.getHandle(workflowId, runId).fetchHistory() })),
    );
    const replayed = [];
    for await (const result of Worker.runReplayHistories({ workflowBundle: await workflowBundle(), dataConverter }, histories)) replayed.push(result);
    assert.equal(replayed.length, histories.length);
    for (const result of replayed) assert.equal(result.error, undefined, `${result.workflowId} ${result.runId}: ${String(result.error)}`);
    const signalled = histories.find((h) => h.workflowId === trades && (h.history.events ?? []).some((e) => e.workflowExecutionSignaledEventAttributes));
    assert.ok(signalled, 'a replayed history carries the signals');
    const inline = histories.find((h) => h.workflowId === trades && (h.history.events ?? []).some((e) => e.markerRecordedEventAttributes));
    assert.ok(inline, 'current collectors write inline, behind their patch marker');
  });

  it('replays histories recorded by earlier versions (test/workflows/histories), e.g. collectors that wrote through child workflows', async () => {
    const dir = path.join(__dirname, 'histories');
    const files = readdirSync(dir).filter((f) => f.endsWith('.pb'));
    assert.ok(files.length >= 1);
    for (const file of files) {
      const history = temporal.api.history.v1.History.decode(readFileSync(path.join(dir, file)));
      if (file.startsWith('collector-child-writes')) {
        assert.ok(history.events.some((e) => e.startChildWorkflowExecutionInitiatedEventAttributes), `${file} writes through a child workflow`);
      }
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter }, history, file);
    }
  });
});
