import type { Command } from 'commander';
import { servicesStatus } from '../services/stack';
import { temporalClient } from '../client/client';
import { listCollectors, type CollectorListing } from '../client/collectors';
import { openAlerts } from '../storage/open-alerts';
import { describeAlerts } from './alerts';
import { configFrom, output, type GlobalOptions } from './context';
import { describeServices } from './services';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('the whole system at a glance: services, collectors, open alerts (open circuit breakers among them)')
    .option('--json', 'print JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const config = configFrom(opts);
      const services = await servicesStatus(config);
      let collectors: CollectorListing[] | null = null;
      if (services.find((s) => s.name === 'temporal')?.healthy) {
        const client = await temporalClient(config);
        collectors = await listCollectors(client).finally(() => client.connection.close());
      }
      const alerts = await openAlerts(config);
      output(opts, { services, collectors, alerts: alerts.alerts }, () =>
        [
          describeServices(services),
          '',
          collectors === null ? 'collectors: unknown (Temporal is down)' : `collectors running: ${collectors.length}`,
          ...(collectors ?? []).map((c) => `  ${c.workflowId}`),
          '',
          describeAlerts(alerts),
        ].join('\n'),
      );
      if (services.some((s) => !s.healthy)) process.exitCode = 3;
    });
}
