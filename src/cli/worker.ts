import type { Command } from 'commander';
import { logger } from '../logging';
import { defaultQueues, startWorkers } from '../workers/start-workers';
import { configFrom, UsageError, type GlobalOptions } from './context';

const QUEUE_PATTERN = /^(collect-[a-z0-9_-]+|storage|backup)$/;

export function parseQueues(text: string): string[] {
  const queues = text.split(',').map((q) => q.trim()).filter(Boolean);
  const bad = queues.find((q) => !QUEUE_PATTERN.test(q));
  if (bad || queues.length === 0) throw new UsageError(`--queues '${text}': expected task queues like collect-okx,storage,backup`);
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
    .action(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { queues?: string; activitiesOnly?: boolean; metricsPort?: string; metrics: boolean }>();
      const config = configFrom(opts);
      const queues = opts.queues ? parseQueues(opts.queues) : defaultQueues(config);
      const metricsPort = opts.metricsPort === undefined ? undefined : Number(opts.metricsPort);
      if (metricsPort !== undefined && !(Number.isInteger(metricsPort) && metricsPort >= 0 && metricsPort <= 65535)) {
        throw new UsageError(`--metrics-port '${opts.metricsPort}' is not a port number (0-65535)`);
      }
      const running = await startWorkers(config, { queues, activitiesOnly: opts.activitiesOnly, metricsPort: opts.metrics ? metricsPort : false });
      const stop = (signal: string) => {
        logger.info({ signal }, 'shutting down: finishing in-flight tasks');
        void running.shutdown();
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
      await running.done;
    });
}
