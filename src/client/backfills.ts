import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Config } from '../config/schema';
import { BATCH_BOUNDS } from '../domain/batch';
import { collectQueue } from '../domain/task-queues';
import { backfillProgressQuery, type BackfillInput, type BackfillProgress } from '../workflows/backfill-api';
import { workflowPolicies } from './workflow-policies';
import { followWorkflow } from './follow-workflow';

/** Starting and following BackfillWorkflows (src/workflows/backfill.ts). */
export type BackfillSpec = Pick<BackfillInput, 'exchange' | 'symbols' | 'fromTime' | 'toTime' | 'chunkMs' | 'parallelism'>;

export const BACKFILL_WORKFLOW = 'BackfillWorkflow';

/** backfill/binanceusdm/trades/BTC-USDT-USDT+ETH-USDT-USDT/<from>-<to>: one backfill per range and symbol set. */
export function backfillWorkflowId(spec: Pick<BackfillSpec, 'exchange' | 'symbols' | 'fromTime' | 'toTime'>): string {
  const symbols = [...spec.symbols].sort().map((s) => s.replace(/[/:]/g, '-'));
  const key = symbols.length > 8 ? `${symbols.length}-symbols-${symbols[0]}` : symbols.join('+');
  return `backfill/${spec.exchange}/trades/${key}/${spec.fromTime}-${spec.toTime}`;
}

export function backfillInput(config: Config, spec: BackfillSpec): BackfillInput {
  const policies = workflowPolicies(config);
  return {
    ...spec,
    stores: config.stores.map((s) => s.id),
    quorum: config.writeQuorum,
    maxRowsPerBatch: BATCH_BOUNDS.maxRows,
    ...(policies && { policies }),
  };
}

/** Starts the backfill, or finds the one already running for the same range and symbols (started: false). */
export async function startBackfill(client: Client, config: Config, spec: BackfillSpec): Promise<{ handle: WorkflowHandle; started: boolean }> {
  const workflowId = backfillWorkflowId(spec);
  try {
    const handle = await client.workflow.start(BACKFILL_WORKFLOW, { workflowId, taskQueue: collectQueue(spec.exchange), args: [backfillInput(config, spec)] });
    return { handle, started: true };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return { handle: client.workflow.getHandle(workflowId), started: false };
    throw err;
  }
}

/** Waits for the backfill's end, calling `onProgress` about twice a second with its progress query's answer. */
export function waitForBackfill(handle: WorkflowHandle, onProgress: (p: BackfillProgress) => void = () => undefined): Promise<BackfillProgress> {
  return followWorkflow<BackfillProgress, BackfillProgress>(handle, backfillProgressQuery, onProgress);
}
