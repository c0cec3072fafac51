import type { Client } from '@temporalio/client';

/** What the Temporal server knows of one task queue: who polls it and how much waits in it. */
export interface TaskQueueReport {
  queue: string;
  /** distinct worker identities polling for workflow tasks / activity tasks (seen in the last minutes) */
  workflowPollers: string[];
  activityPollers: string[];
  /** tasks waiting for a worker (approximate, as the server reports it) */
  workflowBacklog: number;
  activityBacklog: number;
}

/** temporal.api.enums.v1.TaskQueueType values (the proto enum; @temporalio/proto is not a runtime dependency). */
const TaskQueueType = { TASK_QUEUE_TYPE_WORKFLOW: 1, TASK_QUEUE_TYPE_ACTIVITY: 2 } as const;

/**
 * A worker long-polls each queue for up to a minute, and the server remembers pollers for some minutes after
 * they stop: only pollers seen within this long count as serving the queue.
 */
const ACTIVE_POLLER_MS = 90_000;

function timestampMs(t: { seconds?: unknown; nanos?: number | null }): number {
  return Number(t.seconds ?? 0) * 1000 + Math.round((t.nanos ?? 0) / 1e6);
}

async function describe(client: Client, queue: string, type: (typeof TaskQueueType)[keyof typeof TaskQueueType]): Promise<{ pollers: string[]; backlog: number }> {
  const response = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: queue },
    taskQueueType: type,
    reportStats: true,
  });
  const recent = Date.now() - ACTIVE_POLLER_MS;
  const active = (response.pollers ?? []).filter((p) => p.lastAccessTime == null || timestampMs(p.lastAccessTime) >= recent);
  const pollers = [...new Set(active.map((p) => p.identity ?? '?'))].sort();
  return { pollers, backlog: Number(response.stats?.approximateBacklogCount ?? 0) };
}

/**
 * Pollers and backlog of each task queue, from the server's DescribeTaskQueue (default mode, reportStats).
 * The signal an autoscaler reads: a growing activity backlog on a queue means add workers for it; no pollers
 * means nothing serves it. Throws what the Temporal client throws when the server cannot be reached.
 */
export async function describeTaskQueues(client: Client, queues: readonly string[]): Promise<TaskQueueReport[]> {
  return Promise.all(
    queues.map(async (queue) => {
      const [workflow, activity] = await Promise.all([describe(client, queue, TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW), describe(client, queue, TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY)]);
      return { queue, workflowPollers: workflow.pollers, activityPollers: activity.pollers, workflowBacklog: workflow.backlog, activityBacklog: activity.backlog };
    }),
  );
}
