import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { parseDuration } from '../config/schema';
import { KNOWN_EXCHANGES } from '../domain/data-types';
import { FETCH_OPTION_DEFAULTS, MIN_COLLECT_INTERVAL_MS } from '../domain/fetch';
import { describeVenueOptions } from '../exchange/collector-options';
import { collectorStatus, listCollectors, startCollector, STOP_GRACE_MS, stopCollector, type StartResult } from '../client/collectors';
import { temporalClient } from '../client/client';
import { CollectorLookupError, findCollector, type CollectorExecution } from '../client/collector-lookup';
import { configFrom, output, table, UsageError, type GlobalOptions } from './context';
import { parseTypes, validateCollector } from './validate-collector';

interface StartOptions extends GlobalOptions {
  exchange: string;
  type: string;
  symbols: string;
  interval: string;
  depth?: string;
  period?: string;
}

/** The syntax of --depth; which depths an exchange accepts is checked against the exchange (validate-collector.ts). */
function depthOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`--depth '${text}' is not a whole number of levels; write it like 10`);
  return n;
}

/** The syntax of --period (ccxt timeframe spelling); which periods an exchange accepts is checked against it. */
function periodOption(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+[mhdwM]$/.test(text)) throw new UsageError(`--period '${text}' is not a ccxt timeframe; write it like 5m, 1h or 1d`);
  return text;
}

function intervalMs(text: string): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch {
    throw new UsageError(`--interval '${text}' is not a positive duration; write it like 500ms, 1s or 1m`);
  }
  if (ms < MIN_COLLECT_INTERVAL_MS) {
    throw new UsageError(`--interval '${text}' is shorter than the ${MIN_COLLECT_INTERVAL_MS}ms minimum (an exchange admits 10 collection calls a second); write it like 500ms or 1s`);
  }
  return ms;
}

/** --help: what each exchange with a venue file accepts for --depth and --period. */
const ACCEPTED = `\n\nWhat each exchange accepts (checked at start; others: any depth, ccxt's timeframes as periods):\n${describeVenueOptions(KNOWN_EXCHANGES)
  .map((line) => `  ${line}`)
  .join('\n')}`;

export function registerCollect(program: Command): void {
  const collect = program.command('collect').description('start, stop and inspect collector workflows');
  collect
    .command('start')
    .description('start collectors for an exchange, data types and symbols (one workflow per data type)')
    .requiredOption('--exchange <id>', 'ccxt exchange id, e.g. okx')
    .requiredOption('--type <types>', 'comma-separated data types, or all')
    .requiredOption('--symbols <symbols>', 'comma-separated ccxt unified symbols, e.g. BTC/USDT:USDT')
    .option('--interval <duration>', `polling interval, at least ${MIN_COLLECT_INTERVAL_MS}ms`, '1s')
    .option('--depth <levels>', `order book: top N levels per side (default ${FETCH_OPTION_DEFAULTS.depth})`)
    .option('--period <timeframe>', `long/short ratios: bucket period (default ${FETCH_OPTION_DEFAULTS.period})`)
    .option('--json', 'print JSON')
    .addHelpText('after', ACCEPTED)
    .action(async (_o: StartOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<StartOptions>();
      const config = configFrom(opts);
      const every = intervalMs(opts.interval);
      const depth = depthOption(opts.depth);
      const period = periodOption(opts.period);
      const options = { ...(depth && { depth }), ...(period && { period }) };
      const symbols = opts.symbols.split(',').map((s) => s.trim()).filter(Boolean);
      const types = await validateCollector(config, opts.exchange, parseTypes(opts.type), symbols, options);
      const client = await temporalClient(config);
      const results: StartResult[] = [];
      for (const dataType of types) results.push(await startCollector(client, config, { exchange: opts.exchange, dataType, symbols, intervalMs: every, ...(Object.keys(options).length && { options }) }));
      await client.connection.close();
      output(opts, results, () => results.map((r) => `${r.started ? 'started' : 'already running'}: ${r.workflowId}`).join('\n'));
    });
  collect
    .command('stop [workflowId]')
    .description('stop one collector by workflow id, or --all (the write in flight finishes first)')
    .option('--all', 'stop every running collector')
    .option('--json', 'print JSON')
    .action(async (workflowId: string | undefined, _o: GlobalOptions & { all?: boolean }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { all?: boolean }>();
      if (!workflowId && !opts.all) throw new UsageError('name a collector workflow id (see `marketprism collect list`) or pass --all');
      const client = await temporalClient(configFrom(opts));
      try {
        const ids = opts.all ? (await listCollectors(client)).map((c) => c.workflowId) : [workflowId as string];
        const found = await Promise.all(ids.map((id) => lookup(client, id)));
        const already = found.filter((c) => !c.running);
        // side by side: each may wait for its write in flight
        const running = found.filter((c) => c.running).map((c) => c.workflowId);
        const outcomes = await Promise.all(running.map((id) => stopCollector(client, id)));
        const terminated = running.filter((_, i) => outcomes[i] === 'terminated');
        output(opts, { stopped: running, terminated, alreadyStopped: already.map((c) => c.workflowId) }, () =>
          [
            ...already.map((c) => `already stopped: ${c.workflowId} (${c.status.toLowerCase()}${c.closeTime ? ` at ${new Date(c.closeTime).toISOString()}` : ''})`),
            ...running.map((id, i) => (outcomes[i] === 'terminated' ? `terminated: ${id} (it did not end within ${STOP_GRACE_MS / 1000}s of being stopped: no worker running, or a write waiting for stores; \`marketprism replicas check\` shows whether a store needs repair)` : `stopped: ${id}`)),
          ].join('\n') || 'no collector was running',
        );
      } finally {
        await client.connection.close();
      }
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
    .description('what one collector is doing: last success, lag, rows written, errors; a stopped one shows its final state')
    .option('--json', 'print JSON')
    .action(async (workflowId: string, _o: GlobalOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const client = await temporalClient(configFrom(opts));
      try {
        const found = await lookup(client, workflowId);
        // a stopped collector answers from its history when a worker serves its queue; its lag no longer grows
        const status = await collectorStatus(client, workflowId).catch((err: unknown) => {
          if (found.running) throw err;
          return undefined;
        });
        const ended = found.running ? undefined : `${found.status.toLowerCase()}${found.closeTime ? ` at ${new Date(found.closeTime).toISOString()}` : ''}`;
        const view = status && ended ? { ...status, lagMs: null, dataLagMs: null } : status;
        output(opts, { ...view, workflowId, state: found.running ? (view?.paused ? 'paused' : 'running') : 'stopped', executionStatus: found.status }, () =>
          [
            `${workflowId}${ended ? ` (stopped: ${ended})` : view?.paused ? ' (paused)' : ''}`,
            ...(view
              ? [
                  `  symbols: ${view.symbols.join(', ')}  every ${view.intervalMs} ms`,
                  `  rows written: ${view.rowsWritten} in ${view.batchesWritten} batches, quarantined: ${view.rejectedItems}, gaps: ${view.gapsFound}`,
                  `  last success: ${view.lastSuccessTime ? new Date(view.lastSuccessTime).toISOString() : 'never'}${ended ? '' : `  lag: ${view.lagMs ?? '-'} ms  newest data: ${view.dataLagMs ?? '-'} ms old`}  run: ${view.runs}`,
                  `  consecutive errors: ${view.consecutiveErrors}${view.lastError ? `  last: ${view.lastError}` : ''}`,
                ]
              : ['  final state unavailable: no worker serves its queue to answer from its history (start one with `marketprism worker`)']),
          ].join('\n'),
        );
      } finally {
        await client.connection.close();
      }
    });
}

/** The collector an operator named, or a one-line usage error (exit 2) when the id names none. */
async function lookup(client: Client, workflowId: string): Promise<CollectorExecution> {
  try {
    return await findCollector(client, workflowId);
  } catch (err) {
    if (err instanceof CollectorLookupError) throw new UsageError(err.message);
    throw err;
  }
}
