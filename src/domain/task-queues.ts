/**
 * Task queues are the load balancer: any number of workers poll each one. Declared once.
 * Each exchange gets its own collection queue so its global rate cap (maxTaskQueueActivitiesPerSecond)
 * applies across all workers and one slow exchange cannot starve the others.
 */
export const STORAGE_QUEUE = 'storage';
export const BACKUP_QUEUE = 'backup';
export const COLLECT_QUEUE_PREFIX = 'collect-';

export function collectQueue(exchange: string): string {
  return `${COLLECT_QUEUE_PREFIX}${exchange}`;
}

export function exchangeOfQueue(queue: string): string | undefined {
  return queue.startsWith(COLLECT_QUEUE_PREFIX) ? queue.slice(COLLECT_QUEUE_PREFIX.length) : undefined;
}

/**
 * The queues a worker serves by default: every configured exchange's collect queue, storage, and backup
 * (BackupWorkflow, RestoreWorkflow, RetentionWorkflow and their activities), so the quick start's one worker
 * runs the backup schedule `marketprism up` creates.
 */
export function defaultQueues(exchangeIds: readonly string[]): string[] {
  return [...exchangeIds.map(collectQueue), STORAGE_QUEUE, BACKUP_QUEUE];
}

/** Every queue a deployment with these exchanges has (today the default ones: a worker serves them all). */
export function knownQueues(exchangeIds: readonly string[]): string[] {
  return defaultQueues(exchangeIds);
}

/**
 * Prefix of the task queues of staged batches: each worker process that fetches also polls one queue of its own,
 * `staged/<process>`, where the inserts of the batches it holds are sent (Temporal's worker-specific task queue
 * pattern; docs/design.md, "Rows out of workflow history").
 */
export const STAGING_QUEUE_PREFIX = 'staged/';

export function stagingQueue(processId: string): string {
  return `${STAGING_QUEUE_PREFIX}${processId}`;
}
