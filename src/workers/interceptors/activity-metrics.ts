/**
 * What every activity call tells the worker's metrics, collector summaries and log lines (issue items 11-12),
 * as one Temporal activity interceptor, placed outside the reliability interceptor so that it sees each
 * attempt's final, classified outcome:
 *  - fetch activities: rows fetched, quarantined items, gaps, fetch time, the newest event per symbol (lag);
 *  - insertBatch and insertStaged: rows and batches written per store and table, the write's latency; copyBatch:
 *    repairs;
 *  - failures: counted by activity type, dependency and error class; the SDK logs each one ("Activity failed",
 *    with the error's class and message);
 *  - every log line the SDK writes for the call (ctx.log, "Activity failed") also names the exchange or store
 *    it depends on, next to the workflow id and activity type the SDK adds.
 * Activities stay thin: they only return what they did.
 */
import { CancelledFailure, ApplicationFailure } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { exchangeOfBatch } from '../../domain/batch';
import { FETCH_ACTIVITY, type DataType } from '../../domain/data-types';
import { marketRowCount, type FetchInput, type FetchResult, gapsOf } from '../../domain/fetch';
import { quarantinedBodiesOf } from '../../domain/quarantined-failure';
import { dependencyOf } from '../../reliability/dependency';
import type { CopyBatchResult, InsertBatchInput, InsertBatchResult } from '../../activities/storage';
import type { CollectorSummaries } from '../metrics/collector-summary';
import type { WorkerMetrics } from '../metrics/registry';

const DATA_TYPE_OF_ACTIVITY = new Map<string, DataType>(Object.entries(FETCH_ACTIVITY).map(([type, name]) => [name, type as DataType]));

function errorClassOf(err: unknown): string {
  if (err instanceof ApplicationFailure) return err.type ?? 'ApplicationFailure';
  return err instanceof Error ? err.name : typeof err;
}

function seconds(startedAt: bigint): number {
  return Number(process.hrtime.bigint() - startedAt) / 1e9;
}

export function activityMetricsInterceptors(metrics: WorkerMetrics, summaries: CollectorSummaries): ActivityInterceptorsFactory {
  const fetched = (workflowId: string, dataType: DataType, input: FetchInput, result: FetchResult, took: number): void => {
    const labels = { exchange: input.exchange, data_type: dataType };
    const rows = marketRowCount(result, dataType);
    const quarantined = result.batches.reduce((n, b) => n + (b.table === 'quarantine' ? b.rows.length : 0), 0);
    const gaps = gapsOf(result).length;
    metrics.rowsFetched.inc(labels, rows);
    if (quarantined) metrics.quarantined.inc(labels, quarantined);
    if (gaps) metrics.gaps.inc(labels, gaps);
    metrics.fetchSeconds.observe(labels, took);
    const newest: Record<string, number> = {};
    for (const [symbol, cursor] of Object.entries(result.cursors ?? {})) {
      newest[symbol] = cursor.lastTime;
      metrics.sawEvent(input.exchange, dataType, symbol, cursor.lastTime);
    }
    summaries.fetched(workflowId, { exchange: input.exchange, dataType, symbols: input.symbols, rows, quarantined, gaps, newest });
  };

  return (ctx) => {
    // what this call depends on, for every log line the SDK writes about it
    let context: Record<string, string> = {};
    return {
      inbound: {
        async execute(input, next) {
          const { activityType } = ctx.info;
          const workflowId = ctx.info.workflowExecution?.workflowId ?? '';
          const dependency = dependencyOf(activityType, input.args);
          if (dependency) context = { [dependency.kind]: dependency.id };
          const dataType = DATA_TYPE_OF_ACTIVITY.get(activityType);
          const startedAt = process.hrtime.bigint();
          try {
            const result: unknown = await next(input);
            const took = seconds(startedAt);
            if (dataType) fetched(workflowId, dataType, input.args[0] as FetchInput, result as FetchResult, took);
            else if (activityType === 'insertBatch' || activityType === 'insertStaged') {
              const r = result as InsertBatchResult;
              const exchange = activityType === 'insertBatch' ? exchangeOfBatch((input.args[0] as InsertBatchInput).batch) : r.exchange ?? '';
              metrics.batchesWritten.inc({ table: r.table, store: r.store, outcome: r.alreadyPresent ? 'already_present' : 'written' });
              if (!r.alreadyPresent) {
                metrics.rowsWritten.inc({ exchange, table: r.table, store: r.store }, r.rows);
                metrics.batchWriteSeconds.observe({ table: r.table, store: r.store }, took);
                summaries.written(workflowId, r.store, r.rows);
              }
            } else if (activityType === 'copyBatch') {
              const r = result as CopyBatchResult;
              metrics.batchesWritten.inc({ table: r.table, store: r.store, outcome: r.alreadyPresent ? 'already_present' : 'repaired' });
            }
            return result;
          } catch (err) {
            if (err instanceof CancelledFailure || ctx.cancellationSignal.aborted) throw err;
            metrics.activityFailures.inc({ activity_type: activityType, dependency: dependency?.key ?? '', error_class: errorClassOf(err) });
            if (dataType) {
              const fetch = input.args[0] as FetchInput;
              const bodies = quarantinedBodiesOf(err)?.rows.length ?? 0;
              if (bodies) metrics.quarantined.inc({ exchange: fetch.exchange, data_type: dataType }, bodies);
              summaries.fetchFailed(workflowId, fetch.exchange, dataType, fetch.symbols, `${errorClassOf(err)}: ${(err as Error).message ?? String(err)}`, bodies);
            }
            throw err;
          }
        },
      },
      outbound: {
        getLogAttributes: (attributes, next) => next({ ...attributes, ...context }),
      },
    };
  };
}
