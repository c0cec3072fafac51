import type { Client } from '@temporalio/client';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import type { DataType } from '../domain/data-types';
import type { FetchOptions } from '../domain/fetch';
import { sameOptions } from '../exchange/data-types/collector-rows';
import type { CollectorInput } from '../workflows/collector-api';
import { DATA_TYPE, EXCHANGE, SYMBOLS } from '../workflows/search-attributes';

/**
 * Two collectors on the same (exchange, data type, symbol, options) fetch the same items into different batches:
 * twice the requests, twice the rows. So a collector that would share a symbol with a running one is refused
 * at start (startCollector), naming the running one. Running collectors are found through Temporal's visibility
 * API by their search attributes (Exchange, DataType, Symbols); their options are read from their run's start
 * event, since no search attribute carries them.
 */

/** What a collector collects, as far as overlap is concerned. */
export interface CollectorScope {
  exchange: string;
  dataType: DataType;
  symbols: string[];
  options?: FetchOptions;
}

export interface RunningCollector extends CollectorScope {
  workflowId: string;
}

export interface CollectorOverlap {
  /** the running collector */
  workflowId: string;
  /** the symbols both would collect */
  symbols: string[];
}

/** Which of `running` collect what `scope` would (same exchange, data type and options), on which symbols. */
export function overlapsOf(scope: CollectorScope, running: readonly RunningCollector[]): CollectorOverlap[] {
  return running
    .filter((r) => r.exchange === scope.exchange && r.dataType === scope.dataType && sameOptions(scope.dataType, r.options, scope.options))
    .map((r) => ({ workflowId: r.workflowId, symbols: scope.symbols.filter((s) => r.symbols.includes(s)) }))
    .filter((o) => o.symbols.length > 0);
}

/** Refusal of a collector that overlaps running ones; `overlaps` names them and the shared symbols. */
export class OverlappingCollectorError extends Error {
  override name = 'OverlappingCollectorError';
  constructor(
    readonly scope: CollectorScope,
    readonly overlaps: CollectorOverlap[],
  ) {
    const shared = [...new Set(overlaps.flatMap((o) => o.symbols))];
    const which = overlaps.map((o) => `${o.workflowId} (on ${o.symbols.join(', ')})`).join(', ');
    super(
      `${scope.exchange} ${scope.dataType} for ${scope.symbols.join(', ')} overlaps running collector ${which}: both would store the same ${scope.dataType} in different batches; ` +
        `stop it first (\`marketprism collect stop ${overlaps[0].workflowId}\`) or leave out ${shared.join(', ')}`,
    );
  }
}

/** The input a run was started with (its first history event), decoded with the client's data converter. */
async function startInput(client: Client, workflowId: string, runId: string): Promise<CollectorInput | undefined> {
  const { history } = await client.workflowService.getWorkflowExecutionHistory({
    namespace: client.options.namespace,
    execution: { workflowId, runId },
    maximumPageSize: 1,
  });
  const payloads = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads;
  return payloads?.length ? decodeFromPayloadsAtIndex<CollectorInput>(client.options.loadedDataConverter, 0, payloads) : undefined;
}

/**
 * Running collectors of one exchange and data type, with their current symbols (the Symbols search attribute,
 * which `update` keeps current) and the options they were started with. With `sharing`, only those holding one of
 * these symbols are listed (their start event is read only then); `except` leaves one workflow id out.
 */
export async function runningCollectors(client: Client, exchange: string, dataType: DataType, filter: { sharing?: readonly string[]; except?: string } = {}): Promise<RunningCollector[]> {
  if (!/^[a-z][a-z0-9_-]*$/.test(exchange)) throw new Error(`exchange '${exchange}' is not an exchange id`);
  const query = `WorkflowType = 'CollectorWorkflow' AND ExecutionStatus = 'Running' AND Exchange = '${exchange}' AND DataType = '${dataType}'`;
  const out: RunningCollector[] = [];
  for await (const wf of client.workflow.list({ query })) {
    const listed = wf.typedSearchAttributes.get(SYMBOLS);
    if (wf.workflowId === filter.except) continue;
    if (filter.sharing && listed && !listed.some((s) => filter.sharing?.includes(s))) continue;
    const input = await startInput(client, wf.workflowId, wf.runId);
    out.push({
      workflowId: wf.workflowId,
      exchange: wf.typedSearchAttributes.get(EXCHANGE) ?? exchange,
      dataType: (wf.typedSearchAttributes.get(DATA_TYPE) as DataType | undefined) ?? dataType,
      symbols: listed ?? input?.symbols ?? [],
      ...(input?.options && { options: input.options }),
    });
  }
  return out;
}
