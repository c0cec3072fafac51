import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { parseDuration, type Config } from '../config/schema';
import { workflowPolicies } from './workflow-policies';
import { BATCH_BOUNDS } from '../domain/batch';
import { newestTime } from '../domain/cursor';
import { storedOptions, type FetchOptions } from '../domain/fetch';
import type { DataType } from '../domain/data-types';
import { collectQueue } from '../domain/task-queues';
import { isSymbolSelector } from '../domain/symbol-selector';
import { DATA_TYPE, EXCHANGE, SYMBOLS } from '../workflows/search-attributes';
import type { CollectorInput, CollectorStatus } from '../workflows/collector-api';
import { statusQuery } from '../workflows/collector-api';
import { OverlappingCollectorError, overlapsOf, runningCollectors, type CollectorOverlap, type RunningCollector } from './collector-overlap';

export interface CollectorSpec {
  exchange: string;
  dataType: DataType;
  symbols: string[];
  intervalMs: number;
  /** order book depth, ratio period, volatility resolution */
  options?: FetchOptions;
  /** continue-as-new after this many history events (tests force it low) */
  maxHistoryEvents?: number;
}

/**
 * Readable and stable: collect/okx/trades/BTC-USDT-USDT+ETH-USDT-USDT. Options that change what is stored
 * (STORED_OPTIONS: book depth, ratio period, volatility resolution) follow as `@name=value` when they differ
 * from their defaults, e.g. collect/okx/orderbook/BTC-USDT@depth=400, so a collector at depth 400 is not
 * mistaken for the one at depth 10; a collector without such options keeps the id it always had.
 */
export function collectorWorkflowId(spec: Pick<CollectorSpec, 'exchange' | 'dataType' | 'symbols' | 'options'>): string {
  const symbols = [...spec.symbols].sort().map((s) => s.replace(/[/:]/g, '-'));
  const options = Object.entries(storedOptions(spec.dataType, spec.options)).map(([name, value]) => `@${name}=${String(value)}`);
  return `collect/${spec.exchange}/${spec.dataType}/${symbols.join('+')}${options.join('')}`;
}

export function collectorInput(config: Config, spec: CollectorSpec): CollectorInput {
  // workflows cannot read config: overridden policies travel in the input (absent = the defaults)
  const policies = workflowPolicies(config);
  // only the options this type reads, and only where they differ from the defaults: what its id names
  const options = storedOptions(spec.dataType, spec.options);
  return {
    exchange: spec.exchange,
    dataType: spec.dataType,
    symbols: spec.symbols,
    intervalMs: spec.intervalMs,
    stores: config.stores.map((s) => s.id),
    quorum: config.writeQuorum,
    maxRowsPerBatch: BATCH_BOUNDS.maxRows,
    ...(Object.keys(options).length > 0 && { options }),
    ...(spec.maxHistoryEvents && { maxHistoryEvents: spec.maxHistoryEvents }),
    ...(policies && { policies }),
  };
}

export interface StartResult {
  workflowId: string;
  started: boolean;
}

export interface StartCollectorOptions {
  /** collectors started just before this one (by the same `up`): visibility may not list them yet */
  alongside?: readonly RunningCollector[];
}

/**
 * Starts a collector; starting one that already runs (same workflow id) is a no-op, so `up` can be re-run safely.
 * Throws OverlappingCollectorError, starting nothing, when a running collector (or one in `alongside`) of the same
 * exchange, data type and options collects one of its symbols: the two would store the same items in different
 * batches (collector-overlap.ts). Visibility is eventually consistent: two starts racing each other are not caught.
 */
export async function startCollector(client: Client, config: Config, spec: CollectorSpec, opts: StartCollectorOptions = {}): Promise<StartResult> {
  const workflowId = collectorWorkflowId(spec);
  const overlaps = await collectorOverlaps(client, spec, opts.alongside);
  if (overlaps.length > 0) throw new OverlappingCollectorError(spec, overlaps);
  try {
    await client.workflow.start('CollectorWorkflow', {
      workflowId,
      taskQueue: collectQueue(spec.exchange),
      args: [collectorInput(config, spec)],
      typedSearchAttributes: [
        { key: EXCHANGE, value: spec.exchange },
        { key: DATA_TYPE, value: spec.dataType },
        { key: SYMBOLS, value: spec.symbols },
      ],
    });
    return { workflowId, started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, started: false };
    throw err;
  }
}

/** The running collectors (and those in `alongside`) other than `spec`'s own that overlap it (collector-overlap.ts). */
export async function collectorOverlaps(client: Client, spec: CollectorSpec, alongside: readonly RunningCollector[] = []): Promise<CollectorOverlap[]> {
  const workflowId = collectorWorkflowId(spec);
  const running = await runningCollectors(client, spec.exchange, spec.dataType, { sharing: spec.symbols, except: workflowId });
  const others = [...running, ...alongside].filter((r) => r.workflowId !== workflowId);
  return overlapsOf(spec, others);
}

/** What `alongside` needs to know of a collector just started. */
export function asRunning(spec: CollectorSpec): RunningCollector {
  return { workflowId: collectorWorkflowId(spec), exchange: spec.exchange, dataType: spec.dataType, symbols: spec.symbols, ...(spec.options && { options: spec.options }) };
}

/** The configured collectors with symbol lists (selectors make symbol sets: setSpecsFromConfig in symbol-sets.ts). */
export function specsFromConfig(config: Config, supported: (exchange: string) => DataType[]): CollectorSpec[] {
  return config.collectors.filter((c) => !isSymbolSelector(c.symbols[0])).flatMap((c) => {
    const types = c.types.includes('all') ? supported(c.exchange) : (c.types as DataType[]);
    return types.map((dataType) => ({ exchange: c.exchange, dataType, symbols: c.symbols, intervalMs: parseDuration(c.interval) }));
  });
}

export interface CollectorListing {
  workflowId: string;
  /** a CollectorWorkflow, or a SymbolSetWorkflow (its Symbols are its selector) */
  kind: 'collector' | 'set';
  status: string;
  exchange?: string;
  dataType?: string;
  symbols?: string[];
  startTime: string;
}

/**
 * Collectors from Temporal's visibility; with includeClosed, stopped ones too. Each collector once, as its latest
 * run (continue-as-new leaves a closed run behind for every fresh history).
 */
export async function listCollectors(client: Client, includeClosed = false): Promise<CollectorListing[]> {
  const query = `(WorkflowType = 'CollectorWorkflow' OR WorkflowType = 'SymbolSetWorkflow')${includeClosed ? '' : ` AND ExecutionStatus = 'Running'`}`;
  const latest = new Map<string, CollectorListing>();
  for await (const wf of client.workflow.list({ query })) {
    const listing: CollectorListing = {
      workflowId: wf.workflowId,
      kind: wf.type === 'SymbolSetWorkflow' ? 'set' : 'collector',
      status: wf.status.name,
      exchange: wf.typedSearchAttributes.get(EXCHANGE),
      dataType: wf.typedSearchAttributes.get(DATA_TYPE),
      symbols: wf.typedSearchAttributes.get(SYMBOLS),
      startTime: wf.startTime.toISOString(),
    };
    const known = latest.get(wf.workflowId);
    if (!known || known.startTime < listing.startTime) latest.set(wf.workflowId, listing);
  }
  return [...latest.values()];
}

/**
 * The collector's status query, with the lags measured on the wall clock here: inside a query the
 * workflow's clock stands at its last workflow task, which for a paused or sleeping collector is the past.
 */
export async function collectorStatus(client: Client, workflowId: string): Promise<CollectorStatus> {
  const status = await client.workflow.getHandle(workflowId).query(statusQuery);
  const now = Date.now();
  const newest = newestTime(status.cursors);
  return {
    ...status,
    lagMs: status.lastSuccessTime === null ? null : now - status.lastSuccessTime,
    dataLagMs: newest === null ? null : now - newest,
  };
}

/**
 * How long a stopped collector gets to finish the write in flight before it is terminated. Writes take
 * milliseconds when stores are up; without quorum a write waits indefinitely, and its batch is refetched from
 * the unmoved cursor by the next collector (the stores that got it are reconciled by `replicas repair`).
 */
export const STOP_GRACE_MS = 15_000;

export type StopOutcome = 'cancelled' | 'terminated';

/** Cancels the collector (it ends after its write in flight); terminates it if that takes longer than graceMs. */
export async function stopCollector(client: Client, workflowId: string, reason = 'stopped by operator', graceMs = STOP_GRACE_MS): Promise<StopOutcome> {
  const handle = client.workflow.getHandle(workflowId);
  await handle.cancel();
  let timer: NodeJS.Timeout | undefined;
  const ended = await Promise.race([
    handle.result().then(() => true, () => true),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
  ]);
  clearTimeout(timer);
  if (ended) return 'cancelled';
  try {
    await handle.terminate(`${reason}: still writing ${graceMs / 1000}s after its cancellation`);
    return 'terminated';
  } catch (err) {
    if ((await handle.describe()).status.name !== 'RUNNING') return 'cancelled'; // it ended just now
    throw err;
  }
}
