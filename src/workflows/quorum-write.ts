import { ApplicationFailure, CancellationScope, condition, isCancellation, proxyActivities, sleep, TimeoutFailure, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { isStaged, rowCountOf, STAGED_BATCH_MISSING, type WritableBatch } from '../domain/batch';
import { STORAGE_QUEUE } from '../domain/task-queues';
import { activityOptions, stagedInsertOptions, writeInsertOptions } from '../reliability/activity-options';
import { writeRoundDelayMs } from '../reliability/backoff';
import { DEFAULT_POLICIES, type Policies } from '../reliability/policies';
import { alertSummary, copySummary, hintSummary, insertSummary, quorumGraceSummary, quorumWaitSummary, retrySleepSummary, settleSummary, writeRoundSummary } from './summaries';

export interface QuorumWriteInput {
  /** the rows, or a reference to them staged in the worker that fetched them (src/activities/staging.ts) */
  batch: WritableBatch;
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
  /**
   * A staged batch whose worker died before any store held it: nothing was written (partial rows were removed),
   * and the caller fetches it again from its unmoved cursors. Never set for a batch with its rows.
   */
  refetch?: boolean;
}

/** Whether an insert failed because the worker that staged its batch is gone (or no longer holds it). */
function stagingLost(err: unknown): boolean {
  for (let e = err as { cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e instanceof TimeoutFailure && e.timeoutType === 'SCHEDULE_TO_START') return true;
    if (e instanceof ApplicationFailure && e.type === STAGED_BATCH_MISSING) return true;
  }
  return false;
}

/**
 * The redundant-write path, as workflow code any workflow runs: RedundantWriteWorkflow for one batch, and
 * CollectorWorkflow for each batch it fetched (inline: a child workflow per batch cost a workflow execution
 * and twice the workflow tasks, see docs/design.md). Insert activities run on the storage task queue, or, for a
 * batch staged in the worker that fetched it, on that worker's own queue (insertStaged).
 *  - Each store's insert is retried under the storeInsert policy; when that budget is spent another round
 *    starts after a growing pause, so a batch without quorum waits here, in Temporal's history, and is never
 *    dropped. Short of quorum for policies.writes.quorumAlertAfterMs: one alert, resolved at quorum.
 *  - After quorum the other stores get a short grace; a store still silent then gets a hint: its
 *    ReplicaRepairWorkflow (signal-with-start, by the hintRepair activity) copies the batch once it is back.
 *  - A staged batch whose worker is gone before quorum (its inserts find no poller within
 *    writes.stagedStartTimeoutMs, or it no longer holds the batch): once every store's insert has ended, each
 *    store that did not acknowledge is asked whether its ledger holds the batch (discardPartialBatch, which also
 *    removes rows an interrupted insert left without an entry). Stores holding it are the sources the others copy
 *    it from (copyBatch, verified against the ledger), until quorum; when none holds it, nothing was written and
 *    the result says `refetch`. docs/design.md, "Rows out of workflow history", has the argument.
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
  const quorum = Math.min(input.quorum, stores.length);
  const hasQuorum = (): boolean => acknowledged.length >= quorum;
  const scope = new CancellationScope();

  // Where each store's copy comes from: the batch's own rows, its staging worker, or, once that is lost, the
  // stores that hold it. `lost`: stores whose staged insert found the staging worker gone.
  let copyFrom: string[] | undefined;
  let refetch = false;
  const lost = new Set<string>();
  // stores asked whether they hold the batch, and those that answered: a store is not copied into while its own
  // answer (which may delete partial rows of the batch) is pending, or the deletion could take the copy's rows
  const asked = new Set<string>();
  const answered = new Set<string>();
  const deliver = async (store: string): Promise<void> => {
    if (copyFrom) {
      await copyBatchFrom(store, copyFrom, batch, policies);
    } else if (isStaged(batch)) {
      const { insertStaged } = proxyActivities<Activities>(stagedInsertOptions(batch.stagedOn, policies));
      await insertStaged.executeWithOptions({ summary: insertSummary(batch, store) }, [{ store, batchId: batch.batchId, storeCount: stores.length }]);
    } else {
      await insertBatch.executeWithOptions({ summary: insertSummary(batch, store) }, [{ store, batch }]);
    }
  };

  const writeTo = async (store: string): Promise<void> => {
    for (let round = 1; ; round++) {
      if (refetch || acknowledged.includes(store)) return;
      try {
        await deliver(store);
        acknowledged.push(store);
        return;
      } catch (err) {
        if (isCancellation(err)) throw err;
        if (!copyFrom && stagingLost(err)) {
          lost.add(store);
          await condition(() => refetch || (copyFrom !== undefined && (!asked.has(store) || answered.has(store))));
          continue;
        }
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
  if (isStaged(batch)) {
    const recovery = async (): Promise<void> => {
      // every store's staged insert has ended, acknowledged or lost, and quorum is still missing
      await condition(() => lost.size > 0 && !hasQuorum() && stores.every((s) => acknowledged.includes(s) || lost.has(s)));
      if (acknowledged.length > 0) {
        // a store holds it: the others copy it from there (partial rows of the same batch are absorbed by the key)
        copyFrom = [...acknowledged];
        return;
      }
      // none acknowledged: the first store whose ledger holds it is the source; refetch only when every store says none
      for (const store of lost) asked.add(store);
      // not cancelled with the rest after quorum: a deletion in flight must end before a repair may copy into the store
      await CancellationScope.nonCancellable(() => askHolders([...lost], batch, policies, (store, holds) => {
        answered.add(store);
        if (!holds) return;
        acknowledged.push(store);
        copyFrom ??= [store];
      }));
      if (!copyFrom) refetch = true;
    };
    writes.push(scope.run(recovery).catch((err) => {
      if (!isCancellation(err)) throw err;
    }));
  }

  const settled = (): boolean => hasQuorum() || refetch;
  let alerted = false;
  const alertKey = `quorum-lost/${batch.table}/${batch.batchId}`;
  if (!(await condition(settled, WRITES.quorumAlertAfterMs, { summary: quorumWaitSummary(batch, quorum, stores.length, WRITES.quorumAlertAfterMs) }))) {
    alerted = true;
    await raiseAlert.executeWithOptions({ summary: alertSummary('raise', alertKey) }, [{
      key: alertKey,
      severity: 'critical',
      source: `${alertSource} ${workflowInfo().workflowId}`,
      message: `batch ${batch.batchId} (${batch.table}, ${rowCountOf(batch)} rows) has ${acknowledged.length} of ${quorum} required stores after ${WRITES.quorumAlertAfterMs / 1000}s; it waits in Temporal and is retried until stores return`,
    }]).catch(() => undefined); // best effort: the write itself must go on
    await condition(settled);
  }
  if (refetch) {
    scope.cancel();
    await Promise.all(writes);
    if (alerted) await resolveAlert.executeWithOptions({ summary: alertSummary('resolve', alertKey) }, [{ key: alertKey, source: alertSource, message: `batch ${batch.batchId} was lost with its staging worker before any store held it; it is fetched again` }]).catch(() => undefined);
    return { batchId: batch.batchId, acknowledged: [], lagging: [], alerted, refetch: true };
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

/** Copies the batch into `store` from the stores that hold it (copyBatch on the storage queue: the repair path). */
async function copyBatchFrom(store: string, holders: string[], batch: WritableBatch, policies: Policies): Promise<void> {
  const { copyBatch } = proxyActivities<Activities>({ ...activityOptions('repairCopy', policies), taskQueue: STORAGE_QUEUE });
  const sources = holders.filter((s) => s !== store);
  await copyBatch.executeWithOptions({ summary: copySummary(store, batch.batchId, sources) }, [{ store, sources, batchId: batch.batchId, table: batch.table }]);
}

/**
 * Asks each of `stores` whether its ledger holds the batch (discardPartialBatch, which also removes partial rows of
 * it), each until it answers: a store that is down may hold it. `answer` is called for each as it answers.
 */
async function askHolders(stores: string[], batch: WritableBatch, policies: Policies, answer: (store: string, holds: boolean) => void): Promise<void> {
  const { discardPartialBatch } = proxyActivities<Activities>({ ...activityOptions('admin', policies), heartbeatTimeout: policies.writes.insertHeartbeatTimeoutMs, taskQueue: STORAGE_QUEUE });
  await Promise.all(stores.map(async (store) => {
    for (let round = 1; ; round++) {
      try {
        answer(store, (await discardPartialBatch.executeWithOptions({ summary: settleSummary(batch, store) }, [{ store, batchId: batch.batchId, table: batch.table }])).holds);
        return;
      } catch (err) {
        if (isCancellation(err)) throw err;
        const delayMs = writeRoundDelayMs(round, policies);
        await sleep(delayMs, { summary: retrySleepSummary(delayMs, `ask ${store} for batch ${batch.batchId}`) });
      }
    }
  }));
}
