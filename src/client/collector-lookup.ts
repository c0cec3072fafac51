import { WorkflowNotFoundError, type Client } from '@temporalio/client';

/** An id that names no collector: bad operator input (the CLI exits 2 with this one line). */
export class CollectorLookupError extends Error {
  override name = 'CollectorLookupError';
}

export interface CollectorExecution {
  workflowId: string;
  /** Temporal's execution status of the latest run: RUNNING, CANCELLED, TERMINATED, FAILED, COMPLETED, … */
  status: string;
  running: boolean;
  /** epoch ms of the latest run's close, when it is closed */
  closeTime?: number;
  /** a CollectorWorkflow, or a SymbolSetWorkflow running collectors for a selector (--symbols all:swap) */
  kind: 'collector' | 'set';
}

/**
 * The latest run of the collector `workflowId`. Throws CollectorLookupError when no workflow has that id, or
 * when it is another kind of workflow (a repair, a write): collector commands act on collectors only.
 */
export async function findCollector(client: Client, workflowId: string): Promise<CollectorExecution> {
  let description;
  try {
    description = await client.workflow.getHandle(workflowId).describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new CollectorLookupError(`no collector has the id '${workflowId}'; \`marketprism collect list --all\` lists them`);
    throw err;
  }
  if (description.type !== 'CollectorWorkflow' && description.type !== 'SymbolSetWorkflow') {
    throw new CollectorLookupError(`'${workflowId}' is a ${description.type}, not a collector; collector ids start with collect/ (see \`marketprism collect list\`)`);
  }
  const status = description.status.name;
  const kind = description.type === 'SymbolSetWorkflow' ? 'set' : 'collector';
  return { workflowId, status, running: status === 'RUNNING', kind, ...(description.closeTime && { closeTime: description.closeTime.getTime() }) };
}
