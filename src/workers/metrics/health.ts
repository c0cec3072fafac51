import type { State, WorkerStatus } from '@temporalio/worker';

/** What /health looks at: each Temporal worker of the process, by task queue. */
export interface PolledWorker {
  taskQueue: string;
  /** activity-only workers have no workflow poller */
  activitiesOnly: boolean;
  worker: { getState(): State; getStatus(): Pick<WorkerStatus, 'workflowPollerState' | 'activityPollerState'> };
}

export interface WorkerHealth {
  healthy: boolean;
  workers: Array<{ taskQueue: string; state: State; workflowPoller: string; activityPoller: string }>;
}

/**
 * Healthy when every worker of the process runs and its pollers poll (issue item 12: 200 when the worker's
 * pollers run, 503 otherwise). A worker still starting, draining for shutdown, stopped or failed is not.
 */
export function workerHealth(workers: readonly PolledWorker[]): WorkerHealth {
  const rows = workers.map(({ taskQueue, activitiesOnly, worker }) => {
    const status = worker.getStatus();
    return {
      taskQueue,
      state: worker.getState(),
      workflowPoller: activitiesOnly ? 'NONE' : status.workflowPollerState,
      activityPoller: status.activityPollerState,
    };
  });
  const healthy = rows.length > 0 && rows.every((r) => r.state === 'RUNNING' && r.activityPoller === 'POLLING' && (r.workflowPoller === 'POLLING' || r.workflowPoller === 'NONE'));
  return { healthy, workers: rows };
}
