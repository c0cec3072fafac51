import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Config } from '../config/schema';
import { BACKUP_QUEUE } from '../domain/task-queues';
import type { RestoreTable } from '../domain/backup-tables';
import { workflowPolicies } from './workflow-policies';
import { followWorkflow } from './follow-workflow';
import {
  MANUAL_BACKUP_WORKFLOW_ID,
  restoreProgressQuery,
  restoreWorkflowId,
  type BackupOutcome,
  type RestoreInput,
  type RestoreOutcome,
  type RestoreProgress,
} from '../workflows/backup-api';

/**
 * Client side of backups: run one now, restore one (with progress), as workflows on the `backup` queue, so
 * they run where the key is (a worker) and show up in the Temporal UI. Schedules are in backup-schedules.ts.
 */

export class BackupAlreadyRunning extends Error {
  override name = 'BackupAlreadyRunning';
}

/** Starts BackupWorkflow (one manual run at a time) and waits for its outcome. */
export async function runBackup(client: Client, config: Config, opts: { full?: boolean } = {}): Promise<BackupOutcome> {
  const policies = workflowPolicies(config);
  let handle: WorkflowHandle;
  try {
    handle = await client.workflow.start('BackupWorkflow', {
      workflowId: MANUAL_BACKUP_WORKFLOW_ID,
      taskQueue: BACKUP_QUEUE,
      args: [{ ...(opts.full && { full: true }), ...(policies && { policies }) }],
      workflowIdConflictPolicy: 'FAIL',
    });
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw new BackupAlreadyRunning(`a backup is already running (workflow ${MANUAL_BACKUP_WORKFLOW_ID}); wait for it, or see it in the Temporal UI`);
    throw err;
  }
  return (await handle.result()) as BackupOutcome;
}

export interface RestoreRequest {
  backupId: string;
  store: string;
  database?: string;
  tables?: RestoreTable[];
  dropAfter?: boolean;
}

/** Starts a RestoreWorkflow (or attaches to the one running for the same target and backup). */
export async function startRestore(client: Client, config: Config, req: RestoreRequest): Promise<WorkflowHandle> {
  const policies = workflowPolicies(config);
  const input: RestoreInput = { ...req, ...(policies && { policies }) };
  for (const k of Object.keys(input) as Array<keyof RestoreInput>) if (input[k] === undefined) delete input[k];
  return client.workflow.start('RestoreWorkflow', {
    workflowId: restoreWorkflowId(req.store, req.database, req.backupId),
    taskQueue: BACKUP_QUEUE,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}

/** Waits for a restore, reporting its progress about twice a second. */
export function waitForRestore(handle: WorkflowHandle, onProgress: (p: RestoreProgress) => void = () => undefined): Promise<RestoreOutcome> {
  return followWorkflow<RestoreOutcome, RestoreProgress>(handle, restoreProgressQuery, onProgress);
}
