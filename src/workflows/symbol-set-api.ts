import { defineQuery } from '@temporalio/workflow';
import type { DataType } from '../domain/data-types';
import type { CollectorInput } from './collector-api';

/**
 * SymbolSetWorkflow's contract with its callers: a collector for every market a selector takes (`--symbols
 * all:swap`), run as CollectorWorkflows of at most `symbolsPerCollector` symbols each (symbol-set.ts).
 */
export interface SymbolSetInput {
  exchange: string;
  dataType: DataType;
  /** e.g. all, all:swap, all:USDT (src/domain/symbol-selector.ts) */
  selector: string;
  /** what every collector of the set is started with, but its symbols */
  collector: Omit<CollectorInput, 'symbols' | 'carried' | 'exchange' | 'dataType'>;
  /** symbols per CollectorWorkflow at most */
  symbolsPerCollector: number;
  /** how often the exchange's markets are reloaded to follow listings, ms */
  reloadMarketsMs: number;
  /** continue-as-new once the history has this many events (tests force it low) */
  maxHistoryEvents?: number;
  carried?: SymbolSetState;
}

/** One CollectorWorkflow of the set: its id and the symbols it collects. */
export interface SymbolSetMember {
  workflowId: string;
  symbols: string[];
}

export interface SymbolSetState {
  members: SymbolSetMember[];
  /** number of the next member's workflow id (ids are never reused within a set) */
  nextMember: number;
  /** markets the exchange listed at the last reload (active or not), and how many the selector took */
  markets: number;
  /** epoch ms of the last successful reload */
  lastReloadTime: number | null;
  lastError: string | null;
  /** symbols added and removed since the set started, for the status */
  listed: number;
  delisted: number;
  runs: number;
}

export interface SymbolSetStatus extends SymbolSetState {
  exchange: string;
  dataType: DataType;
  selector: string;
  symbols: number;
}

export const symbolSetStatusQuery = defineQuery<SymbolSetStatus>('symbolSetStatus');

/** The id of the n-th member of the set `setId`: collect/binanceusdm/trades/all/3. */
export function memberWorkflowId(setId: string, n: number): string {
  return `${setId}/${n}`;
}
