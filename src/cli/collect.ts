import type { Command } from 'commander';
import { parseDuration } from '../config/schema';
import { collectorStatus, listCollectors, startCollector, STOP_GRACE_MS, stopCollector, type StartResult } from '../client/collectors';
import { temporalClient } from '../client/client';
import { configFrom, output, table, UsageError, type GlobalOptions } from './context';
import { parseTypes, validateCollector } from './validate-collector';

interface StartOptions extends GlobalOptions {
  exchange: string;
  type: string;
  symbols: string;
  interval: string;
  depth?: string;
  period?: string;
  resume?: boolean;
}

function depthOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new UsageError(`--depth '${text}' is not a whole number of levels between 1 and 1000; write it like 10`);
  return n;
}

function periodOption(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+[mhdw]$/.test(text)) throw new UsageError(`--period '${text}' is not a ccxt timeframe; write it like 5m, 1h or 1d`);
  return text;
}

function intervalMs(text: string): number {
  try {
    const ms = parseDuration(text);
    if (ms <= 0) throw new Error();
    return ms;
  } catch {
    throw new UsageError(`--interval '${text}' is not a positive duration; write it like 500ms, 1s or 1m`);
  }
}

export function registerCollect(program: Command): void {
  const collect = program.command('collect').description('start, stop and inspect collector workflows');
  collect
    .command('start')
    .description('start collectors for an exchange, data types and symbols (one workflow per data type)')
    .requiredOption('--exchange <id>', 'ccxt exchange id, e.g. okx')
    .requiredOption('--type <types>', 'comma-separated data types, or all')
    .requiredOption('--symbols <symbols>', 'comma-separated ccxt unified symbols, e.g. BTC/USDT:USDT')
    .option('--interval <duration>', 'polling interval', '1s')
    .option('--depth <levels>', 'order book: top N levels per side (default 10)')
    .option('--period <timeframe>', 'long/short ratios: bucket period (default 5m)')
    .option('--resume', "start where the stores' data ends and back-fill from the exchange (after a restore: docs/disaster-recovery.md)")
    .option('--json', 'print JSON')
    .action(async (_o: StartOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<StartOptions>();
      const config = configFrom(opts);
      const every = intervalMs(opts.interval);
      const depth = depthOption(opts.depth);
      const period = periodOption(opts.period);
      const options = { ...(depth && { depth }), ...(period && { period }) };
      const symbols = opts.symbols.split(',').map((s) => s.trim()).filter(Boolean);
      const types = await validateCollector(config, opts.exchange, parseTypes(opts.type), symbols);
      const client = await temporalClient(config);
      const results: StartResult[] = [];
      for (const dataType of types) results.push(await startCollector(client, config, { exchange: opts.exchange, dataType, symbols, intervalMs: every, ...(Object.keys(options).length && { options }) }, { resume: opts.resume }));
      await client.connection.close();
      output(opts, results, () => results.map((r) => `${r.started ? 'started' : 'already running'}: ${r.workflowId}`).join('\n'));
    });
  collect
    .command('stop [workflowId]')
    .description('stop one collector by workflow id, or --all')
    .option('--all', 'stop every running collector')
    .option('--json', 'print JSON')
    .action(async (workflowId: string | undefined, _o: GlobalOptions & { all?: boolean }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { all?: boolean }>();
      if (!workflowId && !opts.all) throw new UsageError('name a collector workflow id (see `marketprism collect list`) or pass --all');
      const client = await temporalClient(configFrom(opts));
      const ids = opts.all ? (await listCollectors(client)).map((c) => c.workflowId) : [workflowId as string];
      // side by side: each may wait for its write in flight
      const outcomes = await Promise.all(ids.map((id) => stopCollector(client, id)));
      await client.connection.close();
      const terminated = ids.filter((_, i) => outcomes[i] === 'terminated');
      output(opts, { stopped: ids, terminated }, () =>
        ids.length ? ids.map((id, i) => (outcomes[i] === 'terminated' ? `terminated: ${id} (it did not end within ${STOP_GRACE_MS / 1000}s of being stopped: no worker running, or a write waiting for stores; \`marketprism replicas check\` shows whether a store needs repair)` : `stopped: ${id}`)).join('\n') : 'no collector was running',
      );
    });
  collect
    .command('list')
    .description('running collectors')
    .option('--all', 'include stopped and failed ones')
    .option('--json', 'print JSON')
    .action(async (_o: GlobalOptions & { all?: boolean }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { all?: boolean }>();
      const client = await temporalClient(configFrom(opts));
      const list = await listCollectors(client, opts.all);
      await client.connection.close();
      output(opts, list, () =>
        list.length
          ? table([['WORKFLOW ID', 'STATUS', 'STARTED'], ...list.map((c) => [c.workflowId, c.status, c.startTime])])
          : 'no collectors running; start one with `marketprism collect start`',
      );
    });
  collect
    .command('status <workflowId>')
    .description('what one collector is doing: last success, lag, rows written, errors')
    .option('--json', 'print JSON')
    .action(async (workflowId: string, _o: GlobalOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const client = await temporalClient(configFrom(opts));
      const status = await collectorStatus(client, workflowId).finally(() => client.connection.close());
      output(opts, status, () =>
        [
          `${workflowId}${status.paused ? ' (paused)' : ''}`,
          `  symbols: ${status.symbols.join(', ')}  every ${status.intervalMs} ms`,
          `  rows written: ${status.rowsWritten} in ${status.batchesWritten} batches, quarantined: ${status.rejectedItems}, gaps: ${status.gapsFound}`,
          `  last success: ${status.lastSuccessTime ? new Date(status.lastSuccessTime).toISOString() : 'never'}  lag: ${status.lagMs ?? '-'} ms  newest data: ${status.dataLagMs ?? '-'} ms old  run: ${status.runs}`,
          `  consecutive errors: ${status.consecutiveErrors}${status.lastError ? `  last: ${status.lastError}` : ''}`,
        ].join('\n'),
      );
    });
}
