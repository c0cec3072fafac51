import type { Command } from 'commander';
import { servicesDown, servicesStatus, servicesUp } from '../services/stack';
import type { ServiceStatus } from '../services/temporal';
import { configFrom, output, table, type GlobalOptions } from './context';

export function describeServices(list: ServiceStatus[]): string {
  return table([
    ['SERVICE', 'ADDRESS', 'HEALTH', 'PID'],
    ...list.map((s) => [s.name, s.address, s.healthy ? 'healthy' : 'DOWN', s.pid ? String(s.pid) : s.managed ? '-' : 'external']),
  ]);
}

export function registerServices(program: Command): void {
  const services = program.command('services').description('run the local stack: Temporal dev server, ClickHouse stores, exchange simulator');
  services
    .command('up')
    .description('start every service that is down and wait until all are healthy (idempotent)')
    .option('--json', 'print JSON')
    .action(async (opts: GlobalOptions, cmd: Command) => {
      const g = { ...cmd.optsWithGlobals<GlobalOptions>() };
      const list = await servicesUp(configFrom(g));
      output(g, list, () => describeServices(list));
    });
  services
    .command('down')
    .description('stop the services this data dir runs')
    .option('--json', 'print JSON')
    .action(async (_opts: GlobalOptions, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const stopped = await servicesDown(configFrom(g));
      output(g, { stopped }, () => (stopped.length ? `stopped: ${stopped.join(', ')}` : 'nothing was running'));
    });
  services
    .command('status')
    .description('each service, its address and health')
    .option('--json', 'print JSON')
    .action(async (_opts: GlobalOptions, cmd: Command) => {
      const g = cmd.optsWithGlobals<GlobalOptions>();
      const list = await servicesStatus(configFrom(g));
      output(g, list, () => describeServices(list));
      if (list.some((s) => !s.healthy)) process.exitCode = 3;
    });
}
