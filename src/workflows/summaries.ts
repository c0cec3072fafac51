import { isStaged, rowCountOf, type WritableBatch } from '../domain/batch';
import type { Cursors } from '../domain/cursor';

/**
 * One-line summaries of what a workflow's activities and timers do or wait for. Temporal stores them as the
 * command's user metadata (ActivityOptions.summary, TimerOptions.summary; SDK 1.24) and the UI shows them on
 * the event and in the timeline, so an operator reads "sleep 1s until the next poll" instead of "Timer 3".
 * Metadata only: replay matches commands by type and id, never by summary, so a change of wording is safe.
 * Pure functions of workflow state (no clock, no I/O): they run in the workflow sandbox.
 */

/** A duration in ms the way the config writes them: 500ms, 1s, 1.5s, 2m. */
export function formatMs(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Number((ms / 1_000).toFixed(1))}s`;
}

/** At most three symbols by name: a summary stays one short line for a collector of many. */
function symbolList(symbols: readonly string[]): string {
  return symbols.length <= 3 ? symbols.join(', ') : `${symbols.slice(0, 3).join(', ')} and ${symbols.length - 3} more`;
}

/** "fetch okx trades BTC/USDT from cursor 2026-01-02T03:04:05.678Z" (the newest item already written). */
export function fetchSummary(exchange: string, dataType: string, symbols: readonly string[], cursors: Cursors): string {
  const times = symbols.flatMap((s) => (cursors[s] ? [cursors[s].lastTime] : []));
  let from: string;
  if (times.length === 0) from = 'from the start';
  else if (symbols.length === 1) from = `from cursor ${new Date(times[0]).toISOString()}`;
  else from = `from cursors (oldest ${new Date(Math.min(...times)).toISOString()}${times.length < symbols.length ? ', some from the start' : ''})`;
  return `fetch ${exchange} ${dataType} ${symbolList(symbols)} ${from}`;
}

/** "insert batch trades-3f2a… (500 rows) into replica-1". */
export function insertSummary(batch: WritableBatch, store: string): string {
  return `insert batch ${batch.batchId} (${rowCountOf(batch)} ${batch.table} rows) into ${store}${isStaged(batch) ? ', staged in its worker' : ''}`;
}

/** The collector's timer between polls; after a failed fetch it waits less (the recovery gate holds the next one). */
export function pollSleepSummary(ms: number, afterFailure: boolean): string {
  return afterFailure ? `sleep ${formatMs(ms)}, then fetch again after the failed fetch` : `sleep ${formatMs(ms)} until the next poll`;
}

export function quorumWaitSummary(batch: WritableBatch, quorum: number, stores: number, alertAfterMs: number): string {
  return `wait up to ${formatMs(alertAfterMs)} for ${quorum} of ${stores} stores to hold batch ${batch.batchId}, then alert`;
}

export function quorumGraceSummary(batch: WritableBatch, graceMs: number): string {
  return `give the other stores ${formatMs(graceMs)} to acknowledge batch ${batch.batchId} before leaving it to repair`;
}

export function writeRoundSummary(store: string, round: number, ms: number): string {
  return `sleep ${formatMs(ms)}, then insert round ${round + 1} into ${store} (round ${round} spent its retries)`;
}

export function settleSummary(batch: WritableBatch, store: string): string {
  return `ask ${store} whether it holds batch ${batch.batchId} (its staging worker is gone); remove its partial rows`;
}

export function hintSummary(store: string, batch: WritableBatch): string {
  return `hint ${store} to repair batch ${batch.batchId}`;
}

export function alertSummary(action: 'raise' | 'resolve', key: string): string {
  return `${action} alert ${key}`;
}

export function repairProbeSummary(store: string, probe: number, ms: number): string {
  return `sleep ${formatMs(ms)}, then probe ${store} again (probe ${probe + 1}; it has batches to repair)`;
}

export function copySummary(store: string, batchId: string, sources: readonly string[]): string {
  return `copy batch ${batchId} into ${store} from ${sources.join(', ')}`;
}

export function storeProbeSummary(store: string, waitMs: number, pending: number): string {
  return `probe ${store} for up to ${formatMs(waitMs)} (${pending} batch(es) to repair)`;
}

export function missingBatchesSummary(store: string, sources: readonly string[]): string {
  return `list the batches ${store} misses (ledgers of ${sources.join(', ')})`;
}

/** A timer before trying `what` again. */
export function retrySleepSummary(ms: number, what: string): string {
  return `sleep ${formatMs(ms)}, then ${what} again`;
}
