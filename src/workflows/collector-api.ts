import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { Cursors } from '../domain/cursor';
import type { DataType } from '../domain/data-types';
import type { FetchOptions } from '../domain/fetch';
import type { Policies } from '../reliability/policies';

/**
 * CollectorWorkflow's contract with its callers (the CLI's client code, tests): input, state, signals and
 * query. Kept apart from the workflow so that callers import no workflow code and no activity types.
 */

export interface CollectorInput {
  exchange: string;
  dataType: DataType;
  symbols: string[];
  intervalMs: number;
  stores: string[];
  quorum: number;
  /** rows per batch at most (BATCH_BOUNDS.maxRows caps it) */
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
  cursors: Cursors;
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
  /** epoch ms the collector was first started (its first run; continue-as-new keeps it); absent from runs before the field */
  firstStartTime?: number;
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
