import { CancellationScope, condition, isCancellation, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Batch } from '../domain/batch';
import { activityOptions } from '../reliability/policies';
import { QUORUM_GRACE_MS, workflowRetryDelayMs } from './options';

export interface RedundantWriteInput {
  batch: Batch;
  /** store ids; URLs and credentials stay in the workers' config */
  stores: string[];
  quorum: number;
}

export interface RedundantWriteResult {
  batchId: string;
  acknowledged: string[];
  /** stores that did not acknowledge before quorum; their copy is left to repair */
  lagging: string[];
}

const { insertBatch } = proxyActivities<Activities>(activityOptions('storeInsert'));

/**
 * Writes one batch to every store in parallel and completes once `quorum` stores hold it.
 * Each store's insert is retried under its activity policy; when that budget is spent the workflow keeps
 * trying with growing pauses, so a batch without quorum waits here, in Temporal, and is never dropped.
 */
export async function RedundantWriteWorkflow(input: RedundantWriteInput): Promise<RedundantWriteResult> {
  const acknowledged: string[] = [];
  const scope = new CancellationScope();

  const writeTo = async (store: string): Promise<void> => {
    for (let round = 1; ; round++) {
      try {
        await insertBatch({ store, batch: input.batch });
        acknowledged.push(store);
        return;
      } catch (err) {
        if (isCancellation(err)) throw err;
        await sleep(workflowRetryDelayMs(round));
      }
    }
  };

  const writes = input.stores.map((store) => scope.run(() => writeTo(store)).catch((err) => {
    if (!isCancellation(err)) throw err;
  }));
  const quorum = Math.min(input.quorum, input.stores.length);
  await condition(() => acknowledged.length >= quorum);
  // Quorum reached. Healthy stores usually answer moments later, so give them a short grace before
  // leaving their copy to repair; a store that is down does not hold the batch up beyond that.
  await condition(() => acknowledged.length === input.stores.length, QUORUM_GRACE_MS);
  scope.cancel();
  await Promise.all(writes);
  const lagging = input.stores.filter((s) => !acknowledged.includes(s));
  return { batchId: input.batch.batchId, acknowledged: [...acknowledged], lagging };
}
