import type { Command } from 'commander';
import { logger } from '../logging';
import type { Config } from '../config/schema';
import { defaultQueues, exchangeOfQueue, knownQueues } from '../domain/task-queues';
import { configFrom, UsageError, type GlobalOptions } from './context';
import { withSlotFlags, type WorkerSlotFlags } from './worker-slots';

/**
 * The --queues list, each one a queue this config has: collect-<exchange> for a configured exchange, storage or
 * backup. A queue nobody starts work on would be polled forever in vain, so a typo or an unconfigured exchange
 * is refused (UsageError, one line naming the queue and the choices).
 */
export function parseQueues(text: string, config: Config): string[] {
  const queues = text.split(',').map((q) => q.trim()).filter(Boolean);
  const exchanges = Object.keys(config.exchanges);
  const known = knownQueues(exchanges);
  if (queues.length === 0) throw new UsageError(`--queues '${text}' names no task queue; use some of ${known.join(', ')}`);
  for (const queue of queues) {
    if (known.includes(queue)) continue;
    const exchange = exchangeOfQueue(queue);
    if (exchange !== undefined) {
      throw new UsageError(`--queues: '${queue}' is for exchange '${exchange}', which is not configured (configured: ${exchanges.join(', ')}); add it under exchanges: or use one of ${known.join(', ')}`);
    }
    throw new UsageError(`--queues: '${queue}' is not a task queue of MarketPrism; use some of ${known.join(', ')}`);
  }
  return queues;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run a worker process polling task queues until SIGTERM/SIGINT (stateless: run as many as you like)')
    .option('--queues <queues>', 'comma-separated task queues (default: every configured exchange, storage)')
    .option('--activities-only', 'poll activities only (no workflow code): a cheap way to add capacity')
    .option('--metrics-port <port>', 'serve Prometheus /metrics and /health on this port (default: metrics.port in the config, 9464; 0: a free port)')
    .option('--no-metrics', 'serve no metrics or health endpoint')
    .option('--max-activities <n>', 'activity slots per task queue: at most this many activities at once (default: worker.maxConcurrentActivityTaskExecutions, 100)')
    .option('--max-workflow-tasks <n>', 'workflow task slots per task queue (default: worker.maxConcurrentWorkflowTaskExecutions, 40; at least 2)')
    .option('--tuner <tuner>', 'fixed: the slots above; resource-based: slots while CPU and memory stay under worker.targetCpuUsage/targetMemoryUsage, up to the slots above')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & WorkerSlotFlags & { queues?: string; activitiesOnly?: boolean; metricsPort?: string; metrics: boolean }>();
      const config = withSlotFlags(configFrom(opts), opts);
      const queues = opts.queues ? parseQueues(opts.queues, config) : defaultQueues(Object.keys(config.exchanges));
      const metricsPort = opts.metricsPort === undefined ? undefined : Number(opts.metricsPort);
      if (metricsPort !== undefined && !(Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort <= 65535)) {
        throw new UsageError(`--metrics-port '${opts.metricsPort}' is not a port number (0-65535)`);
      }
      // the Temporal worker takes seconds to load: only when this command runs (require: tsx resolves it from source too)
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { startWorkers } = require('../workers/start-workers') as typeof import('../workers/start-workers');
      const running = await startWorkers(config, { queues, activitiesOnly: opts.activitiesOnly, metricsPort: opts.metrics ? metricsPort : false });
      // First signal: drain (no new tasks; in-flight ones get worker.shutdownGraceTime). A second one is an
      // operator who will not wait: exit now, which loses nothing either (what ran is retried elsewhere after
      // its timeout, as after SIGKILL).
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) {
          logger.warn({ signal }, 'second signal: exiting without waiting for in-flight tasks');
          process.exit(130);
        }
        stopping = true;
        logger.info({ signal }, 'shutting down: finishing in-flight tasks');
        void running.shutdown().catch(() => undefined); // its failure is running.done's, awaited below
      };
      process.on('SIGTERM', () => stop('SIGTERM'));
      process.on('SIGINT', () => stop('SIGINT'));
      await running.done;
    });
}
