import {
  ActivityFailure,
  ApplicationFailure,
  condition,
  continueAsNew,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { activityOptions } from '../reliability/activity-options';
import { repairProbeDelayMs } from '../reliability/backoff';
import { DEFAULT_POLICIES } from '../reliability/policies';
import { hintSignal, repairStatusQuery, type RepairHint, type RepairState, type ReplicaRepairInput } from './replica-repair-api';
import { alertSummary, copySummary, missingBatchesSummary, repairProbeSummary, retrySleepSummary, storeProbeSummary } from './summaries';

const SOURCE = 'ReplicaRepairWorkflow';

function failureMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}

/** An activity failure no retry can fix (bad input, batch in no ledger, copy verified wrong). */
function isFinal(err: unknown): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : undefined;
  return cause instanceof ApplicationFailure && cause.nonRetryable === true;
}

/**
 * One per store, running for as long as the store may miss batches. Holds the batches the store missed
 * (hints from RedundantWriteWorkflow and `replicas repair`), waits until the store answers, then copies each
 * batch from a store whose ledger holds it (copyBatch: verified, idempotent). The pending set is bounded;
 * hints beyond the bound are recovered later by diffing the ledgers, so none is lost. The state lives in the
 * workflow's history, so it survives worker and Temporal restarts; continue-as-new keeps that history short.
 */
export async function ReplicaRepairWorkflow(input: ReplicaRepairInput): Promise<void> {
  const { store } = input;
  const policies = input.policies ?? DEFAULT_POLICIES;
  const WRITES = policies.writes;
  const { storeHealth, missingBatches } = proxyActivities<Activities>(activityOptions('storeRead', policies));
  const { copyBatch } = proxyActivities<Activities>(activityOptions('repairCopy', policies));
  const { raiseAlert, resolveAlert } = proxyActivities<Activities>(activityOptions('alert', policies));
  let sources = input.sources;
  const state: RepairState = input.carried ?? {
    pending: [],
    overflowed: false,
    repaired: 0,
    alreadyPresent: 0,
    failed: [],
    healthy: null,
    lastError: null,
    lastRepairTime: null,
    alertOpen: false,
  };
  const pending = new Map<string, RepairHint>(state.pending.map((h) => [h.batchId, h]));

  const add = (hint: RepairHint): void => {
    if (pending.has(hint.batchId)) return;
    if (pending.size >= WRITES.repairMaxPending) state.overflowed = true;
    else pending.set(hint.batchId, { batchId: hint.batchId, table: hint.table });
  };
  setHandler(hintSignal, (signal) => {
    if (signal.sources?.length) sources = signal.sources;
    for (const hint of signal.hints) add(hint);
  });
  setHandler(repairStatusQuery, () => ({
    ...state,
    store,
    sources,
    pending: pending.size,
    next: [...pending.keys()].slice(0, 10),
  }));

  const alertKey = `replica-lagging/${store}`;
  const raiseOnce = async (message: string): Promise<void> => {
    if (state.alertOpen) return;
    state.alertOpen = true;
    // An alert is best effort: failing to deliver it must not hold up the repair.
    await raiseAlert.executeWithOptions({ summary: alertSummary('raise', alertKey) }, [{ key: alertKey, severity: 'warning', source: SOURCE, message }]).catch(() => undefined);
  };

  const maybeContinueAsNew = async (): Promise<void> => {
    const info = workflowInfo();
    if (!info.continueAsNewSuggested && info.historyLength < WRITES.repairHistoryEvents) return;
    await continueAsNew<typeof ReplicaRepairWorkflow>({ store, sources, ...(input.policies && { policies: input.policies }), carried: { ...state, pending: [...pending.values()] } });
  };

  /** Probes with growing pauses until the store answers. */
  const untilHealthy = async (): Promise<void> => {
    for (let probe = 1; ; probe++) {
      try {
        // the activity itself pings twice a second for a while: a store that answers again is seen at once
        const health = await storeHealth.executeWithOptions(
          { summary: storeProbeSummary(store, WRITES.repairProbeWaitMs, pending.size) },
          [{ store, waitForHealthyMs: WRITES.repairProbeWaitMs }],
        );
        state.healthy = health.healthy;
        if (health.healthy) return;
        state.lastError = health.reason ?? 'store does not answer';
      } catch (err) {
        state.healthy = false;
        state.lastError = failureMessage(err);
      }
      await raiseOnce(`store ${store} is unreachable with ${pending.size} batch(es) to repair: ${state.lastError}`);
      const delayMs = repairProbeDelayMs(probe, policies);
      await sleep(delayMs, { summary: repairProbeSummary(store, probe, delayMs) });
      await maybeContinueAsNew();
    }
  };

  for (;;) {
    if (pending.size === 0 && !state.overflowed && state.alertOpen) {
      state.alertOpen = false;
      await resolveAlert.executeWithOptions({ summary: alertSummary('resolve', alertKey) }, [{ key: alertKey, source: SOURCE, message: `store ${store} holds every batch it missed` }]).catch(() => undefined);
    }
    await condition(() => pending.size > 0 || state.overflowed);
    await untilHealthy();

    if (pending.size === 0 && state.overflowed) {
      // Hints were dropped at the bound: rebuild the backlog from the ledgers.
      try {
        const found = await missingBatches.executeWithOptions(
          { summary: missingBatchesSummary(store, sources) },
          [{ store, sources, limit: WRITES.repairMaxPending }],
        );
        for (const hint of found.batches) pending.set(hint.batchId, hint);
        state.overflowed = found.total > found.batches.length || found.skipped.length > 0;
      } catch (err) {
        state.lastError = failureMessage(err);
        await sleep(repairProbeDelayMs(1, policies), { summary: retrySleepSummary(repairProbeDelayMs(1, policies), 'list the missing batches') });
      }
      await maybeContinueAsNew();
      continue;
    }

    const [hint] = pending.values();
    try {
      const result = await copyBatch.executeWithOptions({ summary: copySummary(store, hint.batchId, sources) }, [{ store, sources, batchId: hint.batchId, table: hint.table }]);
      if (result.alreadyPresent) state.alreadyPresent += 1;
      else state.repaired += 1;
      state.lastRepairTime = Date.now();
      state.lastError = null;
      pending.delete(hint.batchId);
    } catch (err) {
      state.lastError = failureMessage(err);
      if (isFinal(err)) {
        pending.delete(hint.batchId);
        state.failed = [...state.failed, { ...hint, error: state.lastError }].slice(-WRITES.repairFailedKept);
        const key = `repair-failed/${store}/${hint.batchId}`;
        await raiseAlert.executeWithOptions({ summary: alertSummary('raise', key) }, [{ key, severity: 'critical', source: SOURCE, message: state.lastError }]).catch(() => undefined);
      } else {
        // The store or every source is failing again: back to probing, then retry this batch.
        await sleep(repairProbeDelayMs(1, policies), { summary: retrySleepSummary(repairProbeDelayMs(1, policies), `copy batch ${hint.batchId}`) });
      }
    }
    await maybeContinueAsNew();
  }
}
