import { executeChild, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { isStaged, type WritableBatch } from '../domain/batch';
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

/**
 * Whether fetches keep their market batch in the worker and hand over a reference (src/activities/staging.ts).
 * Since this patch; runs recorded before it carried the rows in their history, and replay that way.
 */
export const STAGED_BATCHES_PATCH = 'staged-batches';

/**
 * Writes a batch through the redundant-write path; returns true once `quorum` stores hold it, false when it was
 * staged and lost with its worker before any store held it (the caller fetches it again: quorum-write.ts).
 */
export async function writeBatch(input: CollectorInput, batch: WritableBatch): Promise<boolean> {
  const write = { batch, stores: input.stores, quorum: input.quorum, ...(input.policies && { policies: input.policies }) };
  if (isStaged(batch) || patched(INLINE_WRITES_PATCH)) {
    return !(await writeAtQuorum(write, 'CollectorWorkflow')).refetch;
  }
  await executeChild(RedundantWriteWorkflow, {
    args: [write],
    workflowId: `write/${batch.batchId}`,
    taskQueue: STORAGE_QUEUE,
    // a batch already being written finishes even if this collector is stopped meanwhile
    parentClosePolicy: 'ABANDON',
  });
  return true;
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

/**
 * Writes everything one fetch produced, in order (the market batch first), then alerts on its gaps; cursors may
 * move only after this returns true. False: the staged market batch was lost before any store held it, nothing of
 * the result is written, and the caller fetches again from the same cursors.
 */
export async function writeResult(input: CollectorInput, result: FetchResult): Promise<boolean> {
  for (const batch of result.batches) {
    if (!(await writeBatch(input, batch))) return false;
  }
  await alertGaps(input, result);
  return true;
}
