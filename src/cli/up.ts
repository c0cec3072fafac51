import type { Command } from 'commander';
import { logger } from '../logging';
import { servicesUp } from '../services/stack';
import { codecServerUrl, temporalUiUrl } from '../services/temporal-ui';
import { temporalClient } from '../client/client';
import { OverlappingCollectorError, type RunningCollector } from '../client/collector-overlap';
import { asRunning, collectorWorkflowId, specsFromConfig, startCollector } from '../client/collectors';
import { setSpecsFromConfig, startSymbolSet, symbolSetRefusal, symbolSetWorkflowId } from '../client/symbol-sets';
import { defaultQueues } from '../domain/task-queues';
import { configFrom, type GlobalOptions } from './context';
import { describeServices } from './services';

/**
 * The main job in one command: bring the stack up, start the configured collectors, and run a worker
 * in the foreground. Safe to re-run: running services and collectors are left as they are. A configured collector
 * that would collect a symbol a running one (or one started earlier in this run) collects is skipped, with why.
 */
export function registerUp(program: Command): void {
  program
    .command('up')
    .description('start services, the configured collectors and a worker (foreground; Ctrl-C stops the worker only)')
    .option('--no-worker', 'return after starting services and collectors')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { worker: boolean }>();
      const config = configFrom(opts);
      const services = await servicesUp(config);
      process.stdout.write(`${describeServices(services)}\n`);
      // ccxt and the Temporal worker take seconds to load: only when this command runs, not for its --help
      /* eslint-disable @typescript-eslint/no-require-imports -- require: tsx resolves it from source too */
      const { createExchange } = require('../exchange/client') as typeof import('../exchange/client');
      const { supportedTypes } = require('../exchange/capabilities') as typeof import('../exchange/capabilities');
      const { startWorkers } = require('../workers/start-workers') as typeof import('../workers/start-workers');
      /* eslint-enable @typescript-eslint/no-require-imports */
      const client = await temporalClient(config);
      const specs = specsFromConfig(config, (id) => supportedTypes(createExchange(id, config.exchanges[id])));
      // the config may list a symbol twice for a type (a `types: all` entry beside another): the later one is skipped
      const alongside: RunningCollector[] = [];
      for (const spec of specs) {
        try {
          const r = await startCollector(client, config, spec, { alongside });
          alongside.push(asRunning(spec));
          process.stdout.write(`${r.started ? 'started' : 'already running'}: ${r.workflowId}\n`);
        } catch (err) {
          if (!(err instanceof OverlappingCollectorError)) throw err;
          process.stdout.write(`skipped: ${collectorWorkflowId(spec)}: ${err.message}\n`);
        }
      }
      // selectors (symbols: [all:swap]) make symbol sets, refused beside collectors of the same markets
      for (const spec of setSpecsFromConfig(config, (id) => supportedTypes(createExchange(id, config.exchanges[id])))) {
        const refusal = await symbolSetRefusal(client, spec);
        if (refusal) {
          process.stdout.write(`skipped: ${symbolSetWorkflowId(spec)}: ${refusal}\n`);
          continue;
        }
        const r = await startSymbolSet(client, config, spec);
        process.stdout.write(`${r.started ? 'started' : 'already running'}: ${r.workflowId} (every ${spec.selector} market, following listings)\n`);
      }
      if (config.backup.schedule.enabled) {
        /* eslint-disable @typescript-eslint/no-require-imports */
        const { upsertBackupSchedules, scheduleFromConfig } = require('../client/backup-schedules') as typeof import('../client/backup-schedules');
        const { ensureBackupKey } = require('./backup') as typeof import('./backup');
        /* eslint-enable @typescript-eslint/no-require-imports */
        ensureBackupKey(config);
        const done = await upsertBackupSchedules(client, config, scheduleFromConfig(config));
        process.stdout.write(`backup schedules ${Object.values(done).every((d) => d === 'created') ? 'created' : 'up to date'}: every ${config.backup.schedule.every}, retention ${config.backup.schedule.retention}\n`);
      }
      await client.connection.close();
      process.stdout.write(`Temporal UI: ${temporalUiUrl(config)}/namespaces/${config.temporal.namespace}/workflows (payloads decoded by ${codecServerUrl(config)})\n`);
      if (!opts.worker) return;
      const running = await startWorkers(config, { queues: defaultQueues(Object.keys(config.exchanges)) });
      process.stdout.write('worker running; Ctrl-C to stop it (services keep running: `marketprism services down`)\n');
      for (const sig of ['SIGINT', 'SIGTERM'] as const) {
        process.once(sig, () => {
          logger.info({ signal: sig }, 'shutting down worker');
          void running.shutdown();
        });
      }
      await running.done;
    });
}
