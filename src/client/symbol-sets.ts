import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { parseDuration, type Config } from '../config/schema';
import { CURRENCY_TYPES } from '../domain/data-types';
import { isSymbolSelector } from '../domain/symbol-selector';
import type { DataType } from '../domain/data-types';
import type { FetchOptions } from '../domain/fetch';
import { collectQueue } from '../domain/task-queues';
import { sameOptions } from '../exchange/data-types/collector-rows';
import { DATA_TYPE, EXCHANGE, SYMBOLS } from '../workflows/search-attributes';
import { symbolSetStatusQuery, type SymbolSetInput, type SymbolSetStatus } from '../workflows/symbol-set-api';
import { collectorInput, collectorWorkflowId, type StartResult } from './collectors';
import { runningCollectors } from './collector-overlap';

/**
 * Symbol sets (`collect start --symbols all:swap`): one SymbolSetWorkflow per (exchange, data type, selector,
 * options), running a CollectorWorkflow per group of symbols (src/workflows/symbol-set.ts).
 */
export interface SymbolSetSpec {
  exchange: string;
  dataType: DataType;
  /** e.g. all:swap (src/domain/symbol-selector.ts) */
  selector: string;
  intervalMs: number;
  options?: FetchOptions;
  symbolsPerCollector: number;
  reloadMarketsMs: number;
}

export const SYMBOL_SET_WORKFLOW = 'SymbolSetWorkflow';
export const DEFAULT_SYMBOLS_PER_COLLECTOR = 50;
export const DEFAULT_RELOAD_MARKETS_MS = 5 * 60_000;

/** collect/binanceusdm/trades/all-swap: a collector id with the selector for the symbols; members add /1, /2, ... */
export function symbolSetWorkflowId(spec: Pick<SymbolSetSpec, 'exchange' | 'dataType' | 'selector' | 'options'>): string {
  return collectorWorkflowId({ exchange: spec.exchange, dataType: spec.dataType, symbols: [spec.selector], options: spec.options });
}

/** The configured collectors whose symbols are a selector, one set per type (`all`: the types given, currency types left out). */
export function setSpecsFromConfig(config: Config, supported: (exchange: string) => DataType[]): SymbolSetSpec[] {
  return config.collectors
    .filter((c) => isSymbolSelector(c.symbols[0]))
    .flatMap((c) => {
      const types = c.types.includes('all') ? supported(c.exchange).filter((t) => !CURRENCY_TYPES.includes(t)) : (c.types as DataType[]);
      return types.map((dataType) => ({
        exchange: c.exchange,
        dataType,
        selector: c.symbols[0],
        intervalMs: parseDuration(c.interval),
        symbolsPerCollector: c.symbolsPerCollector ?? DEFAULT_SYMBOLS_PER_COLLECTOR,
        reloadMarketsMs: c.reloadMarkets ? parseDuration(c.reloadMarkets) : DEFAULT_RELOAD_MARKETS_MS,
      }));
    });
}

export function symbolSetInput(config: Config, spec: SymbolSetSpec): SymbolSetInput {
  const { symbols: _s, exchange: _e, dataType: _d, ...collector } = collectorInput(config, { ...spec, symbols: [] });
  return { exchange: spec.exchange, dataType: spec.dataType, selector: spec.selector, collector, symbolsPerCollector: spec.symbolsPerCollector, reloadMarketsMs: spec.reloadMarketsMs };
}

/**
 * Why the set cannot start beside what runs, or undefined: a selector takes every market it matches, so any
 * other collector (or set) of the same exchange, data type and options would collect some of them twice.
 */
export async function symbolSetRefusal(client: Client, spec: SymbolSetSpec): Promise<string | undefined> {
  const id = symbolSetWorkflowId(spec);
  const others = (await runningCollectors(client, spec.exchange, spec.dataType)).filter((r) => !r.workflowId.startsWith(`${id}/`) && sameOptions(spec.dataType, r.options, spec.options));
  if (others.length > 0) {
    return `${spec.exchange} ${spec.dataType} for ${spec.selector} would collect what running collector ${others[0].workflowId} collects${others.length > 1 ? ` (and ${others.length - 1} more)` : ''}; stop it first (\`marketprism collect stop ${others[0].workflowId}\`)`;
  }
  const query = `WorkflowType = '${SYMBOL_SET_WORKFLOW}' AND ExecutionStatus = 'Running' AND Exchange = '${spec.exchange}' AND DataType = '${spec.dataType}'`;
  for await (const wf of client.workflow.list({ query })) {
    if (wf.workflowId !== id) return `${spec.exchange} ${spec.dataType} for ${spec.selector} would collect markets that the running set ${wf.workflowId} collects; stop it first (\`marketprism collect stop ${wf.workflowId}\`)`;
  }
  return undefined;
}

/** Starts the set; one already running under the same id is left as it is (started: false). */
export async function startSymbolSet(client: Client, config: Config, spec: SymbolSetSpec): Promise<StartResult> {
  const workflowId = symbolSetWorkflowId(spec);
  try {
    await client.workflow.start(SYMBOL_SET_WORKFLOW, {
      workflowId,
      taskQueue: collectQueue(spec.exchange),
      args: [symbolSetInput(config, spec)],
      typedSearchAttributes: [
        { key: EXCHANGE, value: spec.exchange },
        { key: DATA_TYPE, value: spec.dataType },
        { key: SYMBOLS, value: [spec.selector] },
      ],
    });
    return { workflowId, started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { workflowId, started: false };
    throw err;
  }
}

export async function symbolSetStatus(client: Client, workflowId: string): Promise<SymbolSetStatus> {
  return client.workflow.getHandle(workflowId).query(symbolSetStatusQuery);
}
