import { Runtime } from '@temporalio/worker';
import { logger } from '../logging';
import { LOOPBACK } from '../config/ports';
import { freePort } from '../services/process';
import { coreLogLevel, temporalToPino } from './runtime-logger';

export interface InstalledRuntime {
  /**
   * Where the SDK's own Prometheus exporter listens (loopback, a free port), when this call installed the
   * runtime; the worker's metrics endpoint serves those metrics along with MarketPrism's (metrics/server.ts).
   */
  sdkMetricsUrl?: string;
}

let installed: Promise<InstalledRuntime> | undefined;

/**
 * Once per process, before the first worker or native connection: the Temporal runtime with
 *  - its log lines, the Rust core's forwarded too, through our pino logger (runtime-logger.ts);
 *  - the SDK's metrics (workflow and activity task latencies, slots, polls, …) exported in Prometheus format
 *    on a loopback port (Runtime.install's telemetryOptions.metrics.prometheus);
 *  - a worker heartbeat to the Temporal server every `heartbeatIntervalMs` (1,000-60,000 ms): each worker's
 *    slots in use and available, which `marketprism status` reads back with ListWorkers (src/client/workers.ts).
 *  - no shutdown signals of its own: the commands that run workers (src/cli/worker.ts, up.ts) catch SIGTERM and
 *    SIGINT and drain in order, the process's staging queue last (start-workers.ts); the runtime's default would
 *    stop every worker at once on the first signal.
 * A runtime installed earlier (a test's own) is kept: then SDK metrics are not served. The first call's
 * interval holds for the whole process.
 */
export function installRuntime(heartbeatIntervalMs = 10_000): Promise<InstalledRuntime> {
  installed ??= (async () => {
    const bindAddress = `${LOOPBACK}:${await freePort()}`;
    try {
      Runtime.install({
        logger: temporalToPino(),
        shutdownSignals: [],
        workerHeartbeatInterval: heartbeatIntervalMs,
        telemetryOptions: {
          logging: { filter: { core: coreLogLevel(logger.level), other: 'ERROR' }, forward: {} },
          metrics: { prometheus: { bindAddress, countersTotalSuffix: true, useSecondsForDurations: true, unitSuffix: true } },
        },
      });
      return { sdkMetricsUrl: `http://${bindAddress}/metrics` };
    } catch (err) {
      logger.debug({ err }, 'Temporal runtime already installed: keeping it, without SDK metrics');
      return {};
    }
  })();
  return installed;
}
