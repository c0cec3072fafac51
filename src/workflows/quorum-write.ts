import { CancellationScope, condition, isCancellation, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Batch } from '../domain/batch';
import { STORAGE_QUEUE } from '../domain/task-queues';
import { activityOptions, writeInsertOptions } from '../reliability/activity-options';
import { writeRoundDelayMs } from '../reliability/backoff';
import { DEFAULT_POLICIES, type Policies } from '../reliability/policies';
import { alertSummary, hintSummary, insertSummary, quorumGraceSummary, quorumWaitSummary, retrySleepSummary, writeRoundSummary } from './summaries';

export interface QuorumWriteInput {
  batch: Batch;
  /** store ids; URLs and credentials stay in the workers' config */
  stores: string[];
  quorum: number;
  /** the reliability policies with the config's overrides; absent = DEFAULT_POLICIES */
  policies?: Policies;
}

export interface QuorumWriteResult {
  batchId: string;
  acknowledged: string[];
  /** stores that did not acknowledge within the grace after quorum; their copy is left to repair */
  lagging: string[];
  /** whether the write went without quorum long enough to raise an alert */
  alerted: boolean;
}

/**
 * The redundant-write path, as workflow code any workflow runs: RedundantWriteWorkflow for one batch, and
 * CollectorWorkflow for each batch it fetched (inline: a child workflow per batch cost a workflow execution
 * and twice the workflow tasks, see docs/design.md). Insert activities run on the storage task queue.
 *  - Each store's insert is retried under the storeInsert policy; when that budget is spent another round
 *    starts after a growing pause, so a batch without quorum waits here, in Temporal's history, and is never
 *    dropped. Short of quorum for policies.writes.quorumAlertAfterMs: one alert, resolved at quorum.
 *  - After quorum the other stores get a short grace; a store still silent then gets a hint: its
 *    ReplicaRepairWorkflow (signal-with-start, by the hintRepair activity) copies the batch once it is back.
 * Every step is idempotent (the stores' ledgers), so a replay, a retried activity or a repair racing a late
 * insert never leaves duplicates.
 */
export async function writeAtQuorum(input: QuorumWriteInput, alertSource: string): Promise<QuorumWriteResult> {
  const { batch, stores } = input;
  const policies = input.policies ?? DEFAULT_POLICIES;
  const WRITES = policies.writes;
  const { insertBatch } = proxyActivities<Activities>({ ...writeInsertOptions(policies), taskQueue: STORAGE_QUEUE });
  const { hintRepair } = proxyActivities<Activities>({ ...activityOptions('admin', policies), taskQueue: STORAGE_QUEUE });
  const { raiseAlert, resolveAlert } = proxyActivities<Activities>(activityOptions('alert', policies));
  const acknowledged: string[] = [];
  const scope = new CancellationScope();

  const writeTo = async (store: string): Promise<void> => {
    for (let round = 1; ; round++) {
      try {
        await insertBatch.executeWithOptions({ summary: insertSummary(batch, store) }, [{ store, batch }]);
        acknowledged.push(store);
        return;
      } catch (err) {
        if (isCancellation(err)) throw err;
        const delayMs = writeRoundDelayMs(round, policies);
        await sleep(delayMs, { summary: writeRoundSummary(store, round, delayMs) });
      }
    }
  };
  const writes = stores.map((store) =>
    scope.run(() => writeTo(store)).catch((err) => {
      if (!isCancellation(err)) throw err;
    }),
  );

  const quorum = Math.min(input.quorum, stores.length);
  const hasQuorum = (): boolean => acknowledged.length >= quorum;
  let alerted = false;
  const alertKey = `quorum-lost/${batch.table}/${batch.batchId}`;
  if (!(await condition(hasQuorum, WRITES.quorumAlertAfterMs, { summary: quorumWaitSummary(batch, quorum, stores.length, WRITES.quorumAlertAfterMs) }))) {
    alerted = true;
    await raiseAlert.executeWithOptions({ summary: alertSummary('raise', alertKey) }, [{
      key: alertKey,
      severity: 'critical',
      source: `${alertSource} ${workflowInfo().workflowId}`,
      message: `batch ${batch.batchId} (${batch.table}, ${batch.rows.length} rows) has ${acknowledged.length} of ${quorum} required stores after ${WRITES.quorumAlertAfterMs / 1000}s; it waits in Temporal and is retried until stores return`,
    }]).catch(() => undefined); // best effort: the write itself must go on
    await condition(hasQuorum);
  }

  // Quorum reached. Healthy stores usually answer moments later, so give them a short grace before
  // leaving their copy to repair; a store that is down does not hold the batch up beyond that.
  await condition(() => acknowledged.length === stores.length, WRITES.quorumGraceMs, { summary: quorumGraceSummary(batch, WRITES.quorumGraceMs) });
  scope.cancel();
  await Promise.all(writes);
  const done = [...acknowledged];
  const lagging = stores.filter((s) => !done.includes(s));

  for (const store of lagging) {
    // Stores that acknowledged first: their ledgers hold the batch. The rest follow in case they catch up.
    const sources = [...done, ...lagging].filter((s) => s !== store);
    for (let round = 1; ; round++) {
      try {
        await hintRepair.executeWithOptions({ summary: hintSummary(store, batch) }, [{ lagging: store, sources, hints: [{ batchId: batch.batchId, table: batch.table }] }]);
        break;
      } catch {
        const delayMs = writeRoundDelayMs(round, policies);
        // a hint is never dropped: the batch would stay missing
        await sleep(delayMs, { summary: retrySleepSummary(delayMs, `hint ${store}`) });
      }
    }
  }
  if (alerted) {
    await resolveAlert.executeWithOptions({ summary: alertSummary('resolve', alertKey) }, [{ key: alertKey, source: alertSource, message: `batch ${batch.batchId} reached quorum on ${done.join(', ')}` }]).catch(() => undefined);
  }
  return { batchId: batch.batchId, acknowledged: done, lagging, alerted };
}
