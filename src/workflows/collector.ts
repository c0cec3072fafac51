import {
  CancellationScope,
  condition,
  continueAsNew,
  isCancellation,
  patched,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { rowCountOf } from '../domain/batch';
import { newestTime } from '../domain/cursor';
import { FETCH_ACTIVITY } from '../domain/data-types';
import type { FetchInput, FetchResult } from '../domain/fetch';
import { quarantinedBodiesOf } from '../domain/quarantined-failure';
import { activityOptions } from '../reliability/activity-options';
import { DEFAULT_POLICIES } from '../reliability/policies';
import { pauseSignal, resumeSignal, statusQuery, updateSignal, type CollectorInput, type CollectorState } from './collector-api';
import { STAGED_BATCHES_PATCH, writeBatch, writeResult } from './collector-writes';
import { currentFetchResult } from './legacy-fetch-result';
import { DATA_TYPE, EXCHANGE, SYMBOLS } from './search-attributes';
import { resumePoint } from './stored-cursors';
import { fetchSummary, pollSleepSummary } from './summaries';


/** Start a fresh history long before Temporal's limits (50k events / 50 MB). */
export const MAX_HISTORY_EVENTS = 5_000;
const MAX_HISTORY_BYTES = 8 * 1024 * 1024;

function freshState(): CollectorState {
  return {
    cursors: {},
    rowsWritten: 0,
    batchesWritten: 0,
    rejectedItems: 0,
    gapsFound: 0,
    consecutiveErrors: 0,
    lastSuccessTime: null,
    lastError: null,
    paused: false,
    runs: 1,
  };
}

/** "Activity task failed" says nothing: the status shows what the activity itself reported. */
function innermostMessage(err: unknown): string {
  let e = err as { message?: string; cause?: unknown } | undefined;
  while (e?.cause) e = e.cause as typeof e;
  return e?.message ?? String(err);
}

/**
 * Whether a failed fetch is worth trying again soon: everything but bad input. A dependency that is down
 * holds the next fetch at its recovery gate in the worker (released the moment it answers again), so the
 * collector need not sit out its whole interval after an outage.
 */
function retrySoon(err: unknown): boolean {
  for (let e = err as { type?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.type === 'bad_request') return false;
  }
  return true;
}

/**
 * One collector per (exchange, data type, symbol set): fetch from the cursors → write at quorum → sleep,
 * forever. A fresh start begins at the cursors the stores hold (stored-cursors.ts); continue-as-new carries them.
 * A fetch cut short by maxRows is followed at once by the next one (back-fill without sleeping).
 * Stopped by cancellation: a fetch in flight is abandoned (nothing was written), a write in flight finishes.
 */
export async function CollectorWorkflow(input: CollectorInput): Promise<void> {
  const state: CollectorState = input.carried ?? freshState();
  let { symbols, intervalMs } = input;
  /** set by signals that should end the current sleep early */
  let nudged = false;

  setHandler(pauseSignal, () => void (state.paused = true));
  setHandler(resumeSignal, () => {
    state.paused = false;
    nudged = true;
  });
  setHandler(updateSignal, (update) => {
    if (update.symbols?.length) symbols = [...update.symbols];
    if (update.intervalMs && update.intervalMs > 0) intervalMs = update.intervalMs;
    nudged = true;
  });
  setHandler(statusQuery, () => {
    const newest = newestTime(state.cursors);
    return {
      ...state,
      exchange: input.exchange,
      dataType: input.dataType,
      symbols,
      intervalMs,
      firstStartTime: workflowInfo().startTime.getTime(),
      lagMs: state.lastSuccessTime === null ? null : Date.now() - state.lastSuccessTime,
      dataLagMs: newest === null ? null : Date.now() - newest,
    };
  });

  let announcedSymbols: string[] = [];
  const announce = (): void => {
    if (announcedSymbols.join('\n') === symbols.join('\n')) return;
    upsertSearchAttributes([
      { key: EXCHANGE, value: input.exchange },
      { key: DATA_TYPE, value: input.dataType },
      { key: SYMBOLS, value: symbols },
    ]);
    announcedSymbols = symbols;
  };

  // the run's policies: config overrides travel in the input
  const policies = input.policies ?? DEFAULT_POLICIES;
  const fetchers = proxyActivities<Activities>(activityOptions('exchangeFetch', policies));
  const fetcher = fetchers[FETCH_ACTIVITY[input.dataType]];
  // each call says what it fetches, for the UI (summaries.ts); the options are the proxy's otherwise
  const fetch = (arg: FetchInput): Promise<FetchResult> =>
    fetcher.executeWithOptions({ summary: fetchSummary(arg.exchange, input.dataType, arg.symbols, arg.cursors) }, [arg]);
  if (!input.carried) {
    // a fresh start (not continue-as-new): begin where the stores stand, not at the exchange's newest page
    const resumed = await resumePoint(input, symbols, policies);
    if (resumed) {
      state.cursors = resumed.cursors;
      if (resumed.answered.length === 0) state.lastError = `no store answered with the stored cursors (${resumed.errors.join('; ')}); started from the exchange's newest data`;
    }
  }
  for (;;) {
    await condition(() => !state.paused);
    announce();
    let caughtUp = true;
    let failed = false;
    try {
      const stage = patched(STAGED_BATCHES_PATCH);
      const result = currentFetchResult(await fetch({ exchange: input.exchange, symbols, cursors: state.cursors, maxRows: input.maxRowsPerBatch, options: input.options, ...(stage && { stage }) }));
      // a stop (cancellation) waits for the write in flight: no batch is left on fewer stores than quorum
      if (!(await CancellationScope.nonCancellable(() => writeResult(input, result)))) {
        // a failed fetch as far as the loop goes: cursors unmoved, fetched again after the short retry pause
        throw new Error('a fetched batch was lost with its worker before any store held it; fetching it again');
      }
      state.cursors = result.cursors;
      for (const batch of result.batches) {
        if (batch.table === 'quarantine') state.rejectedItems += rowCountOf(batch);
        else if (batch.table === 'collection_gaps') state.gapsFound += rowCountOf(batch);
        else {
          state.rowsWritten += rowCountOf(batch);
          state.batchesWritten += 1;
        }
      }
      state.consecutiveErrors = 0;
      state.lastSuccessTime = Date.now();
      state.lastError = null;
      caughtUp = result.caughtUp;
    } catch (err) {
      if (isCancellation(err)) throw err; // stopped: the workflow ends as cancelled
      state.consecutiveErrors += 1;
      state.lastError = innermostMessage(err);
      failed = retrySoon(err);
      const bodies = quarantinedBodiesOf(err);
      if (bodies) {
        await CancellationScope.nonCancellable(() => writeBatch(input, bodies));
        state.rejectedItems += bodies.rows.length;
      }
    }
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > (input.maxHistoryEvents ?? MAX_HISTORY_EVENTS) || info.historySize > MAX_HISTORY_BYTES) {
      await continueAsNew<typeof CollectorWorkflow>({ ...input, symbols, intervalMs, carried: { ...state, runs: state.runs + 1 } });
    }
    if (caughtUp && !state.paused) {
      nudged = false;
      const sleepMs = failed ? Math.min(intervalMs, policies.breaker.openRetryMaxMs) : intervalMs;
      await condition(() => nudged, sleepMs, { summary: pollSleepSummary(sleepMs, failed) });
    }
  }
}
