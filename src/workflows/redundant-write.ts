import { CancellationScope, condition, isCancellation, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { Batch } from '../domain/batch';
import { activityOptions, DEFAULT_POLICIES, writeInsertOptions, writeRoundDelayMs, type Policies } from '../reliability/policies';

export interface RedundantWriteInput {
  batch: Batch;
  /** store ids; URLs and credentials stay in the workers' config */
  stores: string[];
  quorum: number;
  /** the reliability policies with the config's overrides; absent = DEFAULT_POLICIES */
  policies?: Policies;
}

export interface RedundantWriteResult {
  batchId: string;
  acknowledged: string[];
  /** stores that did not acknowledge within the grace after quorum; their copy is left to repair */
  lagging: string[];
  /** whether the write went without quorum long enough to raise an alert */
  alerted: boolean;
}

const SOURCE = 'RedundantWriteWorkflow';

/**
 * Writes one batch to every store in parallel and completes once `quorum` stores hold it.
 *  - Each store's insert is retried under the storeInsert policy; when that budget is spent the workflow
 *    starts another round after a growing pause, so a batch without quorum waits here, in Temporal's
 *    history, and is never dropped. Short of quorum for policies.writes.quorumAlertAfterMs: one alert,
 *    resolved when quorum is reached.
 *  - After quorum the other stores get a short grace; a store still silent then gets a hint: its
 *    ReplicaRepairWorkflow (signal-with-start, by the hintRepair activity) copies the batch once it is back.
 * Every step is idempotent (the stores' ledgers), so a replay, a retried activity or a repair racing a late
 * insert never leaves duplicates.
 */
export async function RedundantWriteWorkflow(input: RedundantWriteInput): Promise<RedundantWriteResult> {
  const { batch, stores } = input;
  const policies = input.policies ?? DEFAULT_POLICIES;
  const WRITES = policies.writes;
  const { insertBatch } = proxyActivities<Activities>(writeInsertOptions(policies));
  const { hintRepair } = proxyActivities<Activities>(activityOptions('admin', policies));
  const { raiseAlert, resolveAlert } = proxyActivities<Activities>(activityOptions('alert', policies));
  const acknowledged: string[] = [];
  const scope = new CancellationScope();

  const writeTo = async (store: string): Promise<void> => {
    for (let round = 1; ; round++) {
      try {
        await insertBatch({ store, batch });
        acknowledged.push(store);
        return;
      } catch (err) {
        if (isCancellation(err)) throw err;
        await sleep(writeRoundDelayMs(round, policies));
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
  if (!(await condition(hasQuorum, WRITES.quorumAlertAfterMs))) {
    alerted = true;
    await raiseAlert({
      key: alertKey,
      severity: 'critical',
      source: `${SOURCE} ${workflowInfo().workflowId}`,
      message: `batch ${batch.batchId} (${batch.table}, ${batch.rows.length} rows) has ${acknowledged.length} of ${quorum} required stores after ${WRITES.quorumAlertAfterMs / 1000}s; it waits in Temporal and is retried until stores return`,
    }).catch(() => undefined); // best effort: the write itself must go on
    await condition(hasQuorum);
  }

  // Quorum reached. Healthy stores usually answer moments later, so give them a short grace before
  // leaving their copy to repair; a store that is down does not hold the batch up beyond that.
  await condition(() => acknowledged.length === stores.length, WRITES.quorumGraceMs);
  scope.cancel();
  await Promise.all(writes);
  const done = [...acknowledged];
  const lagging = stores.filter((s) => !done.includes(s));

  for (const store of lagging) {
    // Stores that acknowledged first: their ledgers hold the batch. The rest follow in case they catch up.
    const sources = [...done, ...lagging].filter((s) => s !== store);
    for (let round = 1; ; round++) {
      try {
        await hintRepair({ lagging: store, sources, hints: [{ batchId: batch.batchId, table: batch.table }] });
        break;
      } catch {
        await sleep(writeRoundDelayMs(round, policies)); // a hint is never dropped: the batch would stay missing
      }
    }
  }
  if (alerted) {
    await resolveAlert({ key: alertKey, source: SOURCE, message: `batch ${batch.batchId} reached quorum on ${done.join(', ')}` }).catch(() => undefined);
  }
  return { batchId: batch.batchId, acknowledged: done, lagging, alerted };
}
