import { ApplicationFailure, CancellationScope, continueAsNew, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { activityOptions } from '../reliability/activity-options';
import { DEFAULT_POLICIES } from '../reliability/policies';
import { failureMessage } from './backup';
import { restoreProgressQuery, type RestoreInput, type RestoreOutcome, type RestoreProgress } from './backup-api';

/** Continue-as-new after this many events: a restore of a long chain replays one activity per chunk. */
const HISTORY_EVENTS = 8_000;

/**
 * Replays the chain up to a backup into a store, chunk by chunk (restoreChunk: batches the target's ledger
 * holds are skipped, so a restore into a non-empty store, or a repeated one, is idempotent), then checks every
 * batch of the chain against the target. Before anything is written, planRestore checks that the whole chain
 * can be read (manifests, key, batch lists, chunk files). A damaged chunk found midway ends the run as failed,
 * never as a success: the query `progress` and the failure message say how far it got.
 */
export async function RestoreWorkflow(input: RestoreInput): Promise<RestoreOutcome> {
  if (!input.dropAfter || !input.database) return restore(input);
  const { dropScratchDatabase } = proxyActivities<Activities>(activityOptions('admin', input.policies ?? DEFAULT_POLICIES));
  try {
    return await restore(input);
  } finally {
    await CancellationScope.nonCancellable(() => dropScratchDatabase({ store: input.store, database: input.database as string }));
  }
}

async function restore(input: RestoreInput): Promise<RestoreOutcome> {
  const policies = input.policies ?? DEFAULT_POLICIES;
  const { planRestore, restoreChunk, verifyRestore } = proxyActivities<Activities>(activityOptions('restore', policies));
  const target = { store: input.store, ...(input.database && { database: input.database }), ...(input.tables && { tables: input.tables }) };
  const progress: RestoreProgress = input.carried ?? {
    phase: 'plan',
    backupId: input.backupId,
    store: input.store,
    chunksDone: 0,
    chunksTotal: 0,
    batchesRestored: 0,
    batchesSkipped: 0,
    rows: 0,
    batches: 0,
  };
  setHandler(restoreProgressQuery, () => progress);
  const fail = (what: string, err: unknown): never => {
    progress.phase = 'failed';
    progress.error = failureMessage(err);
    throw ApplicationFailure.create({
      type: 'restore_failed',
      message: `${what}: ${progress.error} (${progress.chunksDone} of ${progress.chunksTotal} chunks restored into ${input.store}; the restore is incomplete)`,
      nonRetryable: true,
    });
  };

  let plan;
  try {
    plan = await planRestore({ backupId: input.backupId, ...(input.tables && { tables: input.tables }) });
  } catch (err) {
    return fail(`restore of ${input.backupId} cannot start`, err);
  }
  progress.chunksTotal = plan.chunks;
  progress.batches = plan.batches;
  progress.phase = 'restore';
  const start = input.carried?.next ?? { step: 0, chunk: 0 };
  for (let s = start.step; s < plan.steps.length; s++) {
    const step = plan.steps[s];
    for (let c = s === start.step ? start.chunk : 0; c < step.chunks.length; c++) {
      if (workflowInfo().historyLength > HISTORY_EVENTS) {
        const { carried: _c, ...rest } = input;
        await continueAsNew<typeof RestoreWorkflow>({ ...rest, carried: { ...progress, next: { step: s, chunk: c } } });
      }
      try {
        const r = await restoreChunk({ ...target, backupId: step.backupId, chunk: step.chunks[c] });
        progress.chunksDone += 1;
        progress.batchesRestored += r.restored;
        progress.batchesSkipped += r.skipped;
        progress.rows += r.rows;
      } catch (err) {
        return fail(`restore of ${input.backupId} stopped at backup ${step.backupId} chunk ${step.chunks[c]}`, err);
      }
    }
  }
  progress.phase = 'verify';
  let check;
  try {
    check = await verifyRestore({ ...target, backupId: input.backupId });
  } catch (err) {
    return fail(`restore of ${input.backupId} could not be verified`, err);
  }
  if (!check.ok) return fail(`restore of ${input.backupId} did not verify`, new Error(`${check.problems[0]}${check.problems.length > 1 ? ` (and ${check.problems.length - 1} more)` : ''}`));
  progress.phase = 'done';
  return { ...progress, verified: check.batches, deferred: plan.deferred };
}
