import {
  ApplicationFailure,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  executeChild,
  proxyActivities,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { TradeCursors } from '../domain/batch';
import type { DataType } from '../domain/data-types';
import { STORAGE_QUEUE } from '../domain/task-queues';
import { activityOptions } from '../reliability/policies';
import { RedundantWriteWorkflow } from './redundant-write';

export interface CollectorInput {
  exchange: string;
  dataType: DataType;
  symbols: string[];
  intervalMs: number;
  stores: string[];
  quorum: number;
  /** rows per batch at most, keeping payloads well under Temporal's limit */
  maxRowsPerBatch: number;
  /** carried across continue-as-new */
  carried?: CollectorState;
}

export interface CollectorState {
  cursors: TradeCursors;
  rowsWritten: number;
  batchesWritten: number;
  rejectedItems: number;
  consecutiveErrors: number;
  lastSuccessTime: number | null;
  lastError: string | null;
  paused: boolean;
}

export interface CollectorStatus extends CollectorState {
  exchange: string;
  dataType: DataType;
  symbols: string[];
  intervalMs: number;
  /** ms between now and the last successful fetch, null before the first */
  lagMs: number | null;
}

export const pauseSignal = defineSignal('pause');
export const resumeSignal = defineSignal('resume');
export const updateSignal = defineSignal<[{ symbols?: string[]; intervalMs?: number }]>('update');
export const statusQuery = defineQuery<CollectorStatus>('status');

/** Start a fresh history long before Temporal's limits (50k events / 50 MB). */
const MAX_HISTORY_EVENTS = 5_000;
const MAX_HISTORY_BYTES = 8 * 1024 * 1024;

const { fetchTrades } = proxyActivities<Activities>(activityOptions('exchangeFetch'));

/** One collector per (exchange, data type, symbol set): fetch → write at quorum → sleep, forever. */
export async function CollectorWorkflow(input: CollectorInput): Promise<void> {
  if (input.dataType !== 'trades') {
    throw ApplicationFailure.nonRetryable(`data type ${input.dataType} is not collected yet`, 'bad_request');
  }
  const state: CollectorState = input.carried ?? {
    cursors: {},
    rowsWritten: 0,
    batchesWritten: 0,
    rejectedItems: 0,
    consecutiveErrors: 0,
    lastSuccessTime: null,
    lastError: null,
    paused: false,
  };
  let { symbols, intervalMs } = input;

  setHandler(pauseSignal, () => void (state.paused = true));
  setHandler(resumeSignal, () => void (state.paused = false));
  setHandler(updateSignal, (update) => {
    if (update.symbols?.length) symbols = update.symbols;
    if (update.intervalMs && update.intervalMs > 0) intervalMs = update.intervalMs;
  });
  setHandler(statusQuery, () => ({
    ...state,
    exchange: input.exchange,
    dataType: input.dataType,
    symbols,
    intervalMs,
    lagMs: state.lastSuccessTime === null ? null : Date.now() - state.lastSuccessTime,
  }));

  for (;;) {
    await condition(() => !state.paused);
    try {
      const result = await fetchTrades({ exchange: input.exchange, symbols, cursors: state.cursors, maxRows: input.maxRowsPerBatch });
      if (result.batch) {
        await executeChild(RedundantWriteWorkflow, {
          args: [{ batch: result.batch, stores: input.stores, quorum: input.quorum }],
          workflowId: `write/${result.batch.batchId}`,
          taskQueue: STORAGE_QUEUE,
          // a batch already being written finishes even if this collector is stopped meanwhile
          parentClosePolicy: 'ABANDON',
        });
        state.rowsWritten += result.batch.rows.length;
        state.batchesWritten += 1;
      }
      // The cursor moves only after the batch is durably at quorum.
      state.cursors = result.cursors;
      state.rejectedItems += result.rejected.length;
      state.consecutiveErrors = 0;
      state.lastSuccessTime = Date.now();
      state.lastError = null;
    } catch (err) {
      state.consecutiveErrors += 1;
      state.lastError = (err as Error).message;
    }
    const info = workflowInfo();
    if (info.continueAsNewSuggested || info.historyLength > MAX_HISTORY_EVENTS || info.historySize > MAX_HISTORY_BYTES) {
      await continueAsNew<typeof CollectorWorkflow>({ ...input, symbols, intervalMs, carried: state });
    }
    await sleep(intervalMs);
  }
}
