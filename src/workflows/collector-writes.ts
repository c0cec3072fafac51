import { executeChild, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Batch } from '../domain/batch';
import { gapsOf, type FetchResult } from '../domain/fetch';
import { STORAGE_QUEUE } from '../domain/task-queues';
import { activityOptions } from '../reliability/activity-options';
import { DEFAULT_POLICIES } from '../reliability/policies';
import type { CollectorInput } from './collector-api';
import { writeAtQuorum } from './quorum-write';
import { RedundantWriteWorkflow } from './redundant-write';
import { alertSummary } from './summaries';

/** How a collector writes what it fetched: every batch (market rows, quarantined items, gaps) at quorum; gap alerts. */

/** Collectors write inline (quorum-write.ts) since this patch; runs recorded before it wrote through a child. */
export const INLINE_WRITES_PATCH = 'inline-quorum-writes';

/** Writes a batch through the redundant-write path; returns once `quorum` stores hold it. */
export async function writeBatch(input: CollectorInput, batch: Batch): Promise<void> {
  const write = { batch, stores: input.stores, quorum: input.quorum, ...(input.policies && { policies: input.policies }) };
  if (patched(INLINE_WRITES_PATCH)) {
    await writeAtQuorum(write, 'CollectorWorkflow');
    return;
  }
  await executeChild(RedundantWriteWorkflow, {
    args: [write],
    workflowId: `write/${batch.batchId}`,
    taskQueue: STORAGE_QUEUE,
    // a batch already being written finishes even if this collector is stopped meanwhile
    parentClosePolicy: 'ABANDON',
  });
}

async function alertGaps(input: CollectorInput, result: FetchResult): Promise<void> {
  const { raiseAlert } = proxyActivities<Activities>(activityOptions('alert', input.policies ?? DEFAULT_POLICIES));
  for (const gap of gapsOf(result)) {
    const key = `gap:${input.exchange}:${input.dataType}:${gap.symbol}:${gap.fromTime}`;
    await raiseAlert.executeWithOptions({ summary: alertSummary('raise', key) }, [{
      key,
      severity: 'warning',
      source: workflowInfo().workflowId,
      message: `${input.exchange} ${input.dataType} ${gap.symbol}: gap from ${new Date(gap.fromTime).toISOString()} to ${new Date(gap.toTime).toISOString()}: ${gap.reason}`,
    }]);
  }
}

/** Writes everything one fetch produced, in order, then alerts on its gaps; cursors may move only after this returns. */
export async function writeResult(input: CollectorInput, result: FetchResult): Promise<void> {
  for (const batch of result.batches) await writeBatch(input, batch);
  await alertGaps(input, result);
}
