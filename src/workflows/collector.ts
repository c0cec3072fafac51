import {
  CancellationScope,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  isCancellation,
  proxyActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { TradeCursors } from '../domain/batch';
import type { DataType } from '../domain/data-types';
import { quarantinedBodiesOf } from '../domain/quarantined-failure';
import { activityOptions } from '../reliability/activity-options';
import { DEFAULT_POLICIES, type Policies } from '../reliability/policies';
import { recordBatch, writeBatch, writeResult } from './collector-writes';
import { DATA_TYPE, EXCHANGE, SYMBOLS } from './search-attributes';

type FetchInput = Parameters<Activities['fetchTrades']>[0];
type FetchOptions = NonNullable<FetchInput['options']>;
/** What any fetch activity returns (src/activities/exchange/fetch-result.ts), for whichever data type. */
export type FetchResult = Awaited<ReturnType<Activities[(typeof FETCH_ACTIVITY)[DataType]]>>;

export interface CollectorInput {
  exchange: string;
  dataType: DataType;
  symbols: string[];
  intervalMs: number;
  stores: string[];
  quorum: number;
  /** rows per batch at most, keeping payloads well under Temporal's limit */
  maxRowsPerBatch: number;
  /** per data type tuning: order book depth, ratio period, volatility resolution */
  options?: FetchOptions;
  /** continue-as-new once the history has this many events (default MAX_HISTORY_EVENTS; tests force it low) */
  maxHistoryEvents?: number;
  /** the reliability policies with the config's overrides; absent = DEFAULT_POLICIES */
  policies?: Policies;
  /** carried across continue-as-new */
  carried?: CollectorState;
}

export interface CollectorState {
  /** per symbol: the newest item already written; moves only after its batch is at quorum */
  cursors: TradeCursors;
  rowsWritten: number;
  batchesWritten: number;
  /** malformed items and unparseable responses, quarantined with their raw payload */
  rejectedItems: number;
  /** ranges the exchange could no longer serve, recorded in collection_gaps */
  gapsFound: number;
  consecutiveErrors: number;
  lastSuccessTime: number | null;
  lastError: string | null;
  paused: boolean;
  /** how many runs this collector has had (1 + continue-as-new count) */
  runs: number;
}

export interface CollectorStatus extends CollectorState {
  exchange: string;
  dataType: DataType;
  symbols: string[];
  intervalMs: number;
  /** ms between now and the last successful fetch, null before the first (collectorStatus() recomputes it on the wall clock) */
  lagMs: number | null;
  /** ms between now and the newest event collected, null before the first (likewise) */
  dataLagMs: number | null;
}

export interface CollectorUpdate {
  symbols?: string[];
  intervalMs?: number;
}

export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const updateSignal = defineSignal<[CollectorUpdate]>('update');
export const statusQuery = defineQuery<CollectorStatus>('status');

/** Start a fresh history long before Temporal's limits (50k events / 50 MB). */
export const MAX_HISTORY_EVENTS = 5_000;
const MAX_HISTORY_BYTES = 8 * 1024 * 1024;

/** The fetch activity of each data type (src/activities/exchange/index.ts). */
export const FETCH_ACTIVITY = {
  trades: 'fetchTrades',
  orderbook: 'fetchOrderBook',
  funding_rate: 'fetchFundingRate',
  open_interest: 'fetchOpenInterest',
  liquidations: 'fetchLiquidations',
  lsr_top_position: 'fetchLsrTopPosition',
  lsr_all_account: 'fetchLsrAllAccount',
  volatility_index: 'fetchVolatilityIndex',
  ticker: 'fetchTicker',
} as const satisfies Record<DataType, keyof Activities>;

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
 * One collector per (exchange, data type, symbol set): fetch from the cursors → write at quorum → sleep,
 * forever. A fetch cut short by maxRows is followed at once by the next one (back-fill without sleeping).
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
    const newest = Object.values(state.cursors).reduce<number | null>((max, c) => (max === null || c.lastTime > max ? c.lastTime : max), null);
    return {
      ...state,
      exchange: input.exchange,
      dataType: input.dataType,
      symbols,
      intervalMs,
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
  const fetchers = proxyActivities<Activities>(activityOptions('exchangeFetch', input.policies ?? DEFAULT_POLICIES));
  const fetch = fetchers[FETCH_ACTIVITY[input.dataType]] as (arg: FetchInput) => Promise<FetchResult>;
  for (;;) {
    await condition(() => !state.paused);
    announce();
    let caughtUp = true;
    try {
      const result = await fetch({ exchange: input.exchange, symbols, cursors: state.cursors, maxRows: input.maxRowsPerBatch, options: input.options });
      // a stop (cancellation) waits for the write in flight: no batch is left on fewer stores than quorum
      await CancellationScope.nonCancellable(() => writeResult(input, result));
      state.cursors = result.cursors;
      if (result.batch) {
        state.rowsWritten += result.batch.rows.length;
        state.batchesWritten += 1;
      }
      state.rejectedItems += result.rejected.length;
      state.gapsFound += result.gaps.length;
      state.consecutiveErrors = 0;
      state.lastSuccessTime = Date.now();
      state.lastError = null;
      caughtUp = result.caughtUp;
    } catch (err) {
      if (isCancellation(err)) throw err; // stopped: the workflow ends as cancelled
      state.consecutiveErrors += 1;
      state.lastError = innermostMessage(err);
      const bodies = quarantinedBodiesOf(err);
      if (bodies) {
        await CancellationScope.nonCancellable(() => writeBatch(input, recordBatch(bodies.batchId, 'quarantine', bodies.rows)));
        state.rejectedItems += bodies.rows.length;
      }
    }
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > (input.maxHistoryEvents ?? MAX_HISTORY_EVENTS) || info.historySize > MAX_HISTORY_BYTES) {
      await continueAsNew<typeof CollectorWorkflow>({ ...input, symbols, intervalMs, carried: { ...state, runs: state.runs + 1 } });
    }
    if (caughtUp && !state.paused) {
      nudged = false;
      await condition(() => nudged, intervalMs);
    }
  }
}
