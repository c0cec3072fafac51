import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { Config } from '../config/schema';
import { collectQueue, STORAGE_QUEUE } from '../domain/task-queues';
import { logger } from '../logging';
import { dataConverter } from '../temporal/data-converter';
import { workflowBundle } from './workflow-bundle';

export interface WorkerOptions {
  queues: string[];
  /** activity-only workers are cheap: no workflow bundle, no workflow cache */
  activitiesOnly?: boolean;
  identity?: string;
}

export interface RunningWorkers {
  /** resolves when every worker has stopped */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

/** The queues a worker serves by default: every configured exchange's collect queue, plus storage. */
export function defaultQueues(config: Config): string[] {
  return [...Object.keys(config.exchanges).map(collectQueue), STORAGE_QUEUE];
}

/**
 * Starts one Temporal worker per task queue in this process. Workers are stateless: any number of
 * processes may poll the same queues, and any of them may be killed at any time.
 */
export async function startWorkers(config: Config, options: WorkerOptions): Promise<RunningWorkers> {
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const { activities, close } = createActivities(config);
  const bundle = options.activitiesOnly ? undefined : await workflowBundle();
  const workers = await Promise.all(
    options.queues.map((taskQueue) =>
      Worker.create({
        connection,
        namespace: config.temporal.namespace,
        taskQueue,
        identity: options.identity ? `${options.identity}@${taskQueue}` : undefined,
        activities,
        workflowBundle: bundle,
        dataConverter,
        shutdownGraceTime: '10s',
      }),
    ),
  );
  logger.info({ queues: options.queues, activitiesOnly: !!options.activitiesOnly }, 'workers started');
  const done = Promise.all(workers.map((w) => w.run())).then(async () => {
    await close();
    await connection.close();
  });
  return {
    done,
    async shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
    },
  };
}
