import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { Config } from '../config/schema';
import { exchangeOfQueue } from '../domain/task-queues';
import { maxTaskQueueActivitiesPerSecond } from '../reliability/rate-limiter';
import { logger } from '../logging';
import { dataConverter } from '../client/data-converter';
import { workerReliability, type WorkerReliability } from './reliability';
import { WorkerMetrics } from './metrics';
import { installRuntimeLogger } from './runtime-logger';
import { workflowBundle } from './workflow-bundle';

export interface WorkerOptions {
  queues: string[];
  /** activity-only workers are cheap: no workflow bundle, no workflow cache */
  activitiesOnly?: boolean;
  /** serve Prometheus metrics on 127.0.0.1:<port> (0: a free port) */
  metricsPort?: number;
  identity?: string;
}

export interface RunningWorkers {
  /** breakers and rate limiters of this process, for status and tests */
  reliability: WorkerReliability;
  /** where GET /metrics is served, when asked for */
  metricsPort?: number;
  /** resolves when every worker has stopped */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Starts one Temporal worker per task queue in this process. Workers are stateless: any number of
 * processes may poll the same queues, and any of them may be killed at any time.
 */
export async function startWorkers(config: Config, options: WorkerOptions): Promise<RunningWorkers> {
  installRuntimeLogger();
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const { activities, close, pool, alerts } = createActivities(config);
  const reliability = workerReliability(config, pool, alerts);
  const bundle = options.activitiesOnly ? undefined : await workflowBundle();
  const workers = await Promise.all(
    options.queues.map((taskQueue) => {
      const exchange = exchangeOfQueue(taskQueue);
      return Worker.create({
        connection,
        namespace: config.temporal.namespace,
        taskQueue,
        ...(options.identity ? { identity: `${options.identity}@${taskQueue}` } : {}),
        activities,
        workflowBundle: bundle,
        dataConverter,
        interceptors: { activity: [reliability.interceptor] },
        // Temporal enforces this across every worker polling the exchange's queue: adding workers never
        // multiplies the request rate an exchange sees.
        maxTaskQueueActivitiesPerSecond: exchange ? maxTaskQueueActivitiesPerSecond(exchange, reliability.policies) : undefined,
        shutdownGraceTime: '10s',
      });
    }),
  );
  const metrics = options.metricsPort === undefined ? undefined : await new WorkerMetrics(reliability).listen(options.metricsPort);
  logger.info({ queues: options.queues, activitiesOnly: !!options.activitiesOnly, metricsPort: metrics?.port }, 'workers started');
  const done = Promise.all(workers.map((w) => w.run())).then(async () => {
    reliability.interceptor.stop();
    await metrics?.close();
    await close();
    await connection.close();
  });
  return {
    reliability,
    metricsPort: metrics?.port,
    done,
    async shutdown() {
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
    },
  };
}
