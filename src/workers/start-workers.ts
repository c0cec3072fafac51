import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { Config } from '../config/schema';
import { parseDuration } from '../config/duration';
import { BACKUP_QUEUE, exchangeOfQueue, stagingQueue, STORAGE_QUEUE } from '../domain/task-queues';
import { maxTaskQueueActivitiesPerSecond } from '../reliability/rate-limiter';
import { logger } from '../logging';
import { dataConverter } from '../client/data-converter';
import { activityMetricsInterceptors } from './interceptors/activity-metrics';
import { CollectorSummaries } from './metrics/collector-summary';
import { workerHealth, type WorkerHealth } from './metrics/health';
import { WorkerMetrics } from './metrics/registry';
import { BackupCatalog } from './metrics/backup-catalog';
import { RepairBacklog } from './metrics/repair-backlog';
import { serveMetrics, type MetricsServer } from './metrics/server';
import { workerReliability, type WorkerReliability } from './reliability';
import { installRuntime } from './runtime';
import { slotOptions } from './slots';
import { workflowBundle } from './workflow-bundle';

export interface WorkerOptions {
  queues: string[];
  /** activity-only workers are cheap: no workflow bundle, no workflow cache */
  activitiesOnly?: boolean;
  /**
   * Where to serve /metrics and /health: a port (0: a free one) on the config's metrics.host, or false for
   * none. Absent: the config's `metrics` section decides (on by default).
   */
  metricsPort?: number | false;
  identity?: string;
}

export interface RunningWorkers {
  /** breakers and rate limiters of this process, for status and tests */
  reliability: WorkerReliability;
  /** MarketPrism's metrics of this process */
  metrics: WorkerMetrics;
  /** where GET /metrics and /health are served, unless metrics are off */
  metricsPort?: number;
  /** what /health answers */
  health(): WorkerHealth;
  /** resolves when every worker has stopped */
  done: Promise<void>;
  shutdown(): Promise<void>;
}

function metricsPortOf(config: Config, options: WorkerOptions): number | undefined {
  if (options.metricsPort === false) return undefined;
  if (options.metricsPort !== undefined) return options.metricsPort;
  return config.metrics.enabled ? config.metrics.port : undefined;
}

/**
 * After the grace time, activities still running are cancelled; those that ignore cancellation get this much
 * longer before run() gives up on them (GracefulShutdownPeriodExpiredError) and the process exits. What they
 * were doing is then retried elsewhere once its timeout expires, as after a SIGKILL.
 */
export const SHUTDOWN_FORCE_AFTER_GRACE_MS = 15_000;

/**
 * Starts one Temporal worker per task queue in this process. Workers are stateless: any number of
 * processes may poll the same queues, and any of them may be killed at any time. Each process serves its
 * metrics and health (docs/operations.md) and logs a summary line per collector every logSummaryInterval.
 * Slots come from the config's `worker:` section (slots.ts); shutdown() drains: no new tasks are polled,
 * tasks in flight get worker.shutdownGraceTime to finish.
 */
export async function startWorkers(config: Config, options: WorkerOptions): Promise<RunningWorkers> {
  const runtime = await installRuntime(parseDuration(config.worker.heartbeatInterval));
  const slots = slotOptions(config.worker);
  const graceMs = parseDuration(config.worker.shutdownGraceTime);
  const { activities, close, pool, alerts, staging } = createActivities(config);
  const reliability = workerReliability(config, pool, alerts);
  // the repair workflows run on the storage queue: the workers serving it report their backlog
  const backlog = options.queues.includes(STORAGE_QUEUE) ? new RepairBacklog(config, logger) : undefined;
  const backups = options.queues.includes(BACKUP_QUEUE) ? new BackupCatalog(config, logger) : undefined;
  const metrics = new WorkerMetrics(reliability, backlog, Date.now, backups);
  const summaries = new CollectorSummaries(parseDuration(config.logSummaryInterval), logger);
  const workers: Worker[] = [];
  // this process's own queue for the inserts of the batches it fetched and keeps (src/activities/staging.ts)
  const ownQueue = config.worker.stageBatches ? stagingQueue(`${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`) : undefined;
  let stagingWorker: Worker | undefined;
  // unhealthy (503) until every worker exists and polls
  const health = () =>
    workers.length < options.queues.length
      ? { healthy: false, workers: [] }
      : workerHealth(workers.map((worker, i) => ({ taskQueue: options.queues[i], activitiesOnly: !!options.activitiesOnly, worker })));
  const port = metricsPortOf(config, options);
  let server: MetricsServer | undefined;
  let connection: NativeConnection | undefined;
  try {
    // first, so that a port in use fails the start before anything polls
    if (port !== undefined) server = await serveMetrics({ marketprism: () => metrics.render(), sdkMetricsUrl: runtime.sdkMetricsUrl, health }, config.metrics.host, port, logger);
    const native = await NativeConnection.connect({ address: config.temporal.address });
    connection = native;
    const bundle = options.activitiesOnly ? undefined : await workflowBundle();
    // what every worker of this process shares; each queue adds its own
    const workerOn = (taskQueue: string, own: { workflowBundle?: typeof bundle; maxTaskQueueActivitiesPerSecond?: number } = {}) =>
      Worker.create({
        connection: native,
        namespace: config.temporal.namespace,
        taskQueue,
        ...(options.identity ? { identity: `${options.identity}@${taskQueue}` } : {}),
        activities,
        dataConverter,
        // the metrics interceptor is outermost: it sees each attempt's classified outcome
        interceptors: { activity: [activityMetricsInterceptors(metrics, summaries), reliability.interceptor] },
        ...slots(),
        shutdownGraceTime: graceMs,
        shutdownForceTime: graceMs + SHUTDOWN_FORCE_AFTER_GRACE_MS,
        ...own,
      });
    const created = await Promise.all(
      options.queues.map((taskQueue) => {
        const exchange = exchangeOfQueue(taskQueue);
        return workerOn(taskQueue, {
          workflowBundle: bundle,
          // Temporal enforces this across every worker polling the exchange's queue: adding workers never
          // multiplies the request rate an exchange sees.
          maxTaskQueueActivitiesPerSecond: exchange ? maxTaskQueueActivitiesPerSecond(exchange, reliability.policies) : undefined,
        });
      }),
    );
    workers.push(...created);
    if (ownQueue) {
      // activities only: the inserts of the batches this process fetched
      stagingWorker = await workerOn(ownQueue);
      // from now on fetches here keep their batches and name this queue
      staging.queue = ownQueue;
    }
  } catch (err) {
    reliability.interceptor.stop();
    await server?.close();
    await close();
    await connection?.close().catch(() => undefined);
    throw err;
  }
  const conn = connection as NativeConnection;
  summaries.start();
  logger.info(
    {
      queues: options.queues,
      stagingQueue: ownQueue ?? 'off',
      activitiesOnly: !!options.activitiesOnly,
      metrics: server ? `http://${config.metrics.host}:${server.port}/metrics` : 'off',
      tuner: config.worker.tuner,
      maxConcurrentActivityTaskExecutions: config.worker.maxConcurrentActivityTaskExecutions,
      maxConcurrentWorkflowTaskExecutions: config.worker.maxConcurrentWorkflowTaskExecutions,
    },
    'workers started',
  );
  const staged = stagingWorker;
  const stagingRun = staged?.run().catch((err: unknown) => {
    // fetches go back to returning their rows inline; batches staged here are recovered by their writes
    staging.queue = undefined;
    logger.error({ err, queue: ownQueue }, 'the staging worker stopped: fetches return their rows inline from now on');
  });
  const done = Promise.all(workers.map((w) => w.run())).then(async () => {
    // last: inserts of batches fetched here may still come while the other workers drain
    staging.queue = undefined;
    if (staged?.getState() === 'RUNNING') staged.shutdown();
    await stagingRun;
    summaries.stop();
    summaries.flush();
    reliability.interceptor.stop();
    await server?.close();
    await backlog?.close();
    await close();
    await conn.close();
  });
  return {
    reliability,
    metrics,
    metricsPort: server?.port,
    health,
    done,
    async shutdown() {
      const inFlight = workers.map((w, i) => ({ taskQueue: options.queues[i], activities: w.getStatus().numInFlightActivities, workflowTasks: w.getStatus().numInFlightWorkflowActivations }));
      logger.info({ inFlight, graceMs }, `draining: no new tasks; in-flight tasks get ${graceMs / 1000} s to finish`);
      for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
      await done;
      logger.info({ queues: options.queues }, 'drained: every worker stopped');
    },
  };
}
