import { executeChild, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Batch } from '../domain/batch';
import { STORAGE_QUEUE } from '../domain/task-queues';
import { activityOptions } from '../reliability/activity-options';
import { DEFAULT_POLICIES } from '../reliability/policies';
import type { CollectionGapRow } from '../storage/records';
import type { CollectorInput, FetchResult } from './collector';
import { writeAtQuorum } from './quorum-write';
import { RedundantWriteWorkflow } from './redundant-write';

/** How a collector writes what it fetched: batches, quarantined items and gaps, all at quorum; gap alerts. */

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

/**
 * Quarantined items and gaps travel the same durable path as market rows. insertBatch accepts these two
 * bookkeeping tables (src/activities/storage/insert-batch.ts); the Batch type names only market tables.
 */
export function recordBatch(batchId: string, table: 'quarantine' | 'collection_gaps', rows: object[]): Batch {
  return { batchId, table, rows } as unknown as Batch;
}

async function alertGaps(input: CollectorInput, gaps: CollectionGapRow[]): Promise<void> {
  const { raiseAlert } = proxyActivities<Activities>(activityOptions('alert', input.policies ?? DEFAULT_POLICIES));
  for (const gap of gaps) {
    await raiseAlert({
      key: `gap:${input.exchange}:${input.dataType}:${gap.symbol}:${gap.fromTime}`,
      severity: 'warning',
      source: workflowInfo().workflowId,
      message: `${input.exchange} ${input.dataType} ${gap.symbol}: gap from ${new Date(gap.fromTime).toISOString()} to ${new Date(gap.toTime).toISOString()}: ${gap.reason}`,
    });
  }
}

/** Writes everything one fetch produced; cursors may move only after this returns. */
export async function writeResult(input: CollectorInput, result: FetchResult): Promise<void> {
  if (result.batch) await writeBatch(input, result.batch as Batch);
  if (result.rejectedBatchId && result.rejected.length) await writeBatch(input, recordBatch(result.rejectedBatchId, 'quarantine', result.rejected));
  if (result.gapsBatchId && result.gaps.length) {
    await writeBatch(input, recordBatch(result.gapsBatchId, 'collection_gaps', result.gaps));
    await alertGaps(input, result.gaps);
  }
}
