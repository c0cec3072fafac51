import type { Command } from 'commander';
import { openAlerts } from '../storage/open-alerts';
import { configFrom, output, table, type GlobalOptions } from './context';

export function describeAlerts(result: Awaited<ReturnType<typeof openAlerts>>): string {
  const lines = result.alerts.length
    ? [table([['SEVERITY', 'KEY', 'SINCE', 'MESSAGE'], ...result.alerts.map((a) => [a.severity, a.key, new Date(a.raisedAt).toISOString(), a.message])])]
    : ['no open alerts'];
  if (result.unreachable.length) lines.push(`(stores not reachable: ${result.unreachable.join(', ')})`);
  return lines.join('\n');
}

export function registerAlerts(program: Command): void {
  program
    .command('alerts')
    .description('open alerts (breakers open, quorum lost, retry budgets spent, gaps), from every reachable store')
    .option('--json', 'print JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const result = await openAlerts(configFrom(opts));
      output(opts, result, () => describeAlerts(result));
      if (result.unreachable.length === configFrom(opts).stores.length) process.exitCode = 1;
    });
}
