import type { Client } from '@temporalio/client';
import type { Command } from 'commander';
import { parseDuration } from '../config/schema';
import { OverlappingCollectorError } from '../client/collector-overlap';
import { DATA_TYPES, KNOWN_EXCHANGES } from '../domain/data-types';
import { FETCH_OPTION_DEFAULTS, MIN_COLLECT_INTERVAL_MS, STORED_OPTIONS, type FetchOptions } from '../domain/fetch';
import { describeVenueOptions } from '../exchange/collector-options';
import { collectorOverlaps, collectorStatus, listCollectors, startCollector, STOP_GRACE_MS, stopCollector, type CollectorSpec, type StartResult } from '../client/collectors';
import { temporalClient } from '../client/client';
import { formatMs } from '../workflows/summaries';
import type { Config } from '../config/schema';
import { CollectorLookupError, findCollector, type CollectorExecution } from '../client/collector-lookup';
import { symbolSetStatus } from '../client/symbol-sets';
import type { SymbolSetStatus } from '../workflows/symbol-set-api';
import { pauseSignal, resumeSignal, updateSignal, type CollectorStatus, type CollectorUpdate } from '../workflows/collector-api';
import { configFrom, output, table, UsageError, type GlobalOptions } from './context';
import { parseTypes, validateCollector } from './validate-collector';
import { startSymbolSets, type SetOptions } from './collect-set';
import { isSymbolSelector } from '../domain/symbol-selector';

interface StartOptions extends GlobalOptions, SetOptions {
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

/** One line: why each refused type was refused, and which of the requested types could start on their own. */
function overlapRefusal(refused: readonly OverlappingCollectorError[], specs: readonly CollectorSpec[]): string {
  const others = specs.filter((s) => !refused.some((r) => r.scope.dataType === s.dataType)).map((s) => s.dataType);
  const hint = others.length > 0 ? `; nothing was started (to start the others: --type ${others.join(',')})` : '; nothing was started';
  return `refused: ${refused.map((r) => r.message).join('; refused: ')}${hint}`;
}

/** --help: what each exchange with a venue file accepts for --depth and --period. */
/** --help: each data type with the flags it reads (STORED_OPTIONS, src/domain/fetch.ts). */
const FLAG_OF: Partial<Record<keyof FetchOptions, string>> = { depth: '--depth', period: '--period' };
const TYPES = `\n\nData types, with the options each takes:\n${DATA_TYPES.map((t) => {
  const flags = STORED_OPTIONS[t].flatMap((o) => (FLAG_OF[o] ? [FLAG_OF[o]] : []));
  return `  ${t}${flags.length ? ` (${flags.join(', ')})` : ''}`;
}).join('\n')}`;

const ACCEPTED = `\n\nWhat each exchange accepts (checked at start; others: any depth, ccxt's timeframes as periods):\n${describeVenueOptions(KNOWN_EXCHANGES)
  .map((line) => `  ${line}`)
  .join('\n')}`;

/**
 * For each collector that was already running: how it differs from what `collect start` asked (its interval, or
 * being paused) and the command that applies the request, or undefined. The workflow id already carries the
 * exchange, type, symbols and stored options, so only these can differ. A collector that does not answer its
 * status query (no worker yet) gets no note.
 */
async function runningDifferences(config: Config, results: readonly StartResult[], askedIntervalMs: number): Promise<Array<string | undefined>> {
  if (results.every((r) => r.started)) return results.map(() => undefined);
  const client = await temporalClient(config);
  try {
    return await Promise.all(
      results.map(async (r) => {
        if (r.started) return undefined;
        const status = await collectorStatus(client, r.workflowId).catch(() => undefined);
        if (!status) return undefined;
        const notes: string[] = [];
        if (status.intervalMs !== askedIntervalMs) {
          notes.push(`it polls every ${formatMs(status.intervalMs)}, not ${formatMs(askedIntervalMs)}: \`marketprism collect update ${r.workflowId} --interval ${formatMs(askedIntervalMs)}\` applies it`);
        }
        if (status.paused) notes.push(`it is paused: \`marketprism collect resume ${r.workflowId}\``);
        return notes.length ? notes.join('; ') : undefined;
      }),
    );
  } finally {
    await client.connection.close();
  }
}

export function registerCollect(program: Command): void {
  const collect = program.command('collect').description('start, stop and inspect collector workflows');
  collect
    .command('start')
    .description('start collectors for an exchange, data types and symbols (one workflow per data type)')
    .requiredOption('--exchange <id>', 'ccxt exchange id, e.g. okx')
    .requiredOption('--type <types>', 'comma-separated data types, or all')
    .requiredOption('--symbols <symbols>', 'comma-separated ccxt unified symbols, e.g. BTC/USDT:USDT; or all, all:swap, all:USDT (every active market passing the filters, following listings)')
    .option('--interval <duration>', `polling interval, at least ${MIN_COLLECT_INTERVAL_MS}ms`, '1s')
    .option('--depth <levels>', `order book: top N levels per side (default ${FETCH_OPTION_DEFAULTS.depth})`)
    .option('--period <timeframe>', `long/short ratios: bucket period (default ${FETCH_OPTION_DEFAULTS.period})`)
    .option('--symbols-per-collector <n>', 'with --symbols all…: symbols per collector workflow (default 50)')
    .option('--reload-markets <duration>', 'with --symbols all…: how often markets reload to follow listings (default 5m)')
    .option('--json', 'print JSON')
    .addHelpText('after', TYPES + ACCEPTED)
    .action(async (_o: StartOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<StartOptions>();
      const config = configFrom(opts);
      const every = intervalMs(opts.interval);
      const depth = depthOption(opts.depth);
      const period = periodOption(opts.period);
      const options = { ...(depth && { depth }), ...(period && { period }) };
      if (isSymbolSelector(opts.symbols.trim())) return startSymbolSets(opts, config, parseTypes(opts.type), every, options);
      const symbols = opts.symbols.split(',').map((s) => s.trim()).filter(Boolean);
      const types = await validateCollector(config, opts.exchange, parseTypes(opts.type), symbols, options);
      const client = await temporalClient(config);
      const specs: CollectorSpec[] = types.map((dataType) => ({ exchange: opts.exchange, dataType, symbols, intervalMs: every, ...(Object.keys(options).length && { options }) }));
      const results: StartResult[] = [];
      try {
        // all or nothing: every type is checked against the running collectors before any starts
        const refused = [];
        for (const spec of specs) {
          const overlaps = await collectorOverlaps(client, spec);
          if (overlaps.length > 0) refused.push(new OverlappingCollectorError(spec, overlaps));
        }
        if (refused.length > 0) throw new UsageError(overlapRefusal(refused, specs));
        for (const spec of specs) results.push(await startCollector(client, config, spec));
      } catch (err) {
        if (err instanceof OverlappingCollectorError) throw new UsageError(overlapRefusal([err], specs));
        throw err;
      } finally {
        await client.connection.close();
      }
      const notes = await runningDifferences(config, results, every);
      output(opts, results.map((r, i) => ({ ...r, ...(notes[i] && { note: notes[i] }) })), () =>
        results.map((r, i) => `${r.started ? 'started' : 'already running'}: ${r.workflowId}${notes[i] ? ` (${notes[i]})` : ''}`).join('\n'),
      );
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
    .description('collectors: state (running, paused, failing, stopped), first start, lag, rows written, last error')
    .option('--all', 'include stopped and failed ones (each collector once)')
    .option('--json', 'print JSON')
    .action(async (_o: GlobalOptions & { all?: boolean }, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions & { all?: boolean }>();
      const client = await temporalClient(configFrom(opts));
      try {
        const list = await listCollectors(client, opts.all);
        // collectors answer their status query, stopped ones from their history (their final rows, first start and
        // error); one no worker answers for in time is shown without it
        const running = (c: (typeof list)[number], kind: 'collector' | 'set'): boolean => c.status === 'RUNNING' && c.kind === kind;
        const statuses = await Promise.all(
          list.map((c) => (c.kind === 'collector' ? withTimeout(collectorStatus(client, c.workflowId), LIST_QUERY_TIMEOUT_MS).catch(() => undefined) : undefined)),
        );
        const sets = await Promise.all(list.map((c) => (running(c, 'set') ? withTimeout(symbolSetStatus(client, c.workflowId), LIST_QUERY_TIMEOUT_MS) : undefined)));
        const rows = list.map((c, i) => ({ ...c, ...(c.kind === 'set' ? symbolSetSummary(c.status, sets[i]) : collectorSummary(c.status, statuses[i])) }));
        output(opts, rows, () =>
          rows.length
            ? table([
                ['WORKFLOW ID', 'STATE', 'FIRST START', 'LAG', 'ROWS', 'LAST ERROR'],
                ...rows.map((r) => [r.workflowId, r.state, r.firstStart ?? r.startTime, r.lagMs === null ? '-' : `${(r.lagMs / 1000).toFixed(1)}s`, r.rowsWritten === null ? '-' : String(r.rowsWritten), r.lastError ?? '']),
              ])
            : 'no collectors running; start one with `marketprism collect start`',
        );
      } finally {
        await client.connection.close();
      }
    });
  collect
    .command('pause <workflowId>')
    .description('pause a collector: it stops fetching until resumed (its cursors wait; nothing is lost)')
    .action(async (workflowId: string, _o: GlobalOptions, cmd: Command) => signalCollector(cmd, workflowId, 'pause'));
  collect
    .command('resume <workflowId>')
    .description('resume a paused collector: it fetches at once from where it stopped')
    .action(async (workflowId: string, _o: GlobalOptions, cmd: Command) => signalCollector(cmd, workflowId, 'resume'));
  collect
    .command('update <workflowId>')
    .description('change a running collector\'s symbols and/or interval (options such as --depth make another collector: start it)')
    .option('--interval <duration>', `new polling interval, at least ${MIN_COLLECT_INTERVAL_MS}ms`)
    .option('--symbols <symbols>', 'new comma-separated ccxt unified symbols (checked against the exchange)')
    .action(async (workflowId: string, _o: GlobalOptions, cmd: Command) => signalCollector(cmd, workflowId, 'update'));
  collect
    .command('status <workflowId>')
    .description('what one collector is doing: last success, lag, rows written, errors; a stopped one shows its final state')
    .option('--json', 'print JSON')
    .action(async (workflowId: string, _o: GlobalOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const client = await temporalClient(configFrom(opts));
      try {
        const found = await lookup(client, workflowId);
        if (found.kind === 'set') return printSymbolSet(opts, client, found);
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

/** A running collector's status query may not answer (no worker): lists show it without its figures. */
const LIST_QUERY_TIMEOUT_MS = 3_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise.catch(() => undefined), new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]).finally(() => clearTimeout(timer));
}

/** What `collect list` shows of one collector beside its id. */
export function collectorSummary(executionStatus: string, status: CollectorStatus | undefined): { state: string; firstStart: string | null; lagMs: number | null; rowsWritten: number | null; lastError: string | null } {
  const stopped = executionStatus !== 'RUNNING';
  const state = stopped ? 'stopped' : !status ? 'running (no answer)' : status.paused ? 'paused' : status.consecutiveErrors > 0 ? 'failing' : 'running';
  return {
    state,
    firstStart: status?.firstStartTime ? new Date(status.firstStartTime).toISOString() : null,
    // a stopped collector's lag no longer means anything (its clock stood still when it stopped)
    lagMs: stopped ? null : (status?.lagMs ?? null),
    rowsWritten: status?.rowsWritten ?? null,
    lastError: status?.lastError ?? null,
  };
}

/** What `collect list` shows of a symbol set beside its id. */
export function symbolSetSummary(executionStatus: string, status: SymbolSetStatus | undefined): ReturnType<typeof collectorSummary> {
  const state = executionStatus !== 'RUNNING' ? 'stopped' : !status ? 'running (no answer)' : `set: ${status.symbols} symbols in ${status.members.length} collectors`;
  return { state, firstStart: null, lagMs: null, rowsWritten: null, lastError: status?.lastError ?? null };
}

/** `collect status <set>`: the selector, what it takes now, when markets last loaded, and its members. */
async function printSymbolSet(opts: GlobalOptions, client: Client, found: CollectorExecution): Promise<void> {
  const status = found.running ? await symbolSetStatus(client, found.workflowId) : undefined;
  output(opts, { ...status, workflowId: found.workflowId, state: found.running ? 'running' : 'stopped', executionStatus: found.status }, () =>
    [
      `${found.workflowId}${found.running ? '' : ` (stopped: ${found.status.toLowerCase()})`}`,
      ...(status
        ? [
            `  ${status.exchange} ${status.dataType} for ${status.selector}: ${status.symbols} of ${status.markets} markets, in ${status.members.length} collectors`,
            `  markets loaded: ${status.lastReloadTime ? new Date(status.lastReloadTime).toISOString() : 'not yet'}  listed since start: ${status.listed}  delisted: ${status.delisted}${status.lastError ? `  last error: ${status.lastError}` : ''}`,
            ...status.members.map((m) => `  ${m.workflowId}: ${m.symbols.length} symbols (${m.symbols.slice(0, 3).join(', ')}${m.symbols.length > 3 ? ', …' : ''})`),
          ]
        : []),
    ].join('\n'),
  );
}

/** pause | resume | update: the signal to a running collector, after checking what the operator asked. */
async function signalCollector(cmd: Command, workflowId: string, what: 'pause' | 'resume' | 'update'): Promise<void> {
  const opts = cmd.optsWithGlobals<GlobalOptions & { interval?: string; symbols?: string }>();
  const config = configFrom(opts);
  const client = await temporalClient(config);
  try {
    const found = await lookup(client, workflowId);
    if (found.kind === 'set') throw new UsageError(`${workflowId} is a symbol set: ${what} its collectors (\`marketprism collect status ${workflowId}\` lists them), or stop it and start it again with other options`);
    if (!found.running) throw new UsageError(`collector ${workflowId} is stopped (${found.status.toLowerCase()}); start it again with \`marketprism collect start\``);
    const handle = client.workflow.getHandle(workflowId);
    if (what === 'pause') await handle.signal(pauseSignal);
    else if (what === 'resume') await handle.signal(resumeSignal);
    else {
      if (opts.interval === undefined && opts.symbols === undefined) throw new UsageError('collect update: give --interval and/or --symbols');
      const update: CollectorUpdate = {};
      if (opts.interval !== undefined) update.intervalMs = intervalMs(opts.interval);
      if (opts.symbols !== undefined) {
        const symbols = opts.symbols.split(',').map((s) => s.trim()).filter(Boolean);
        const current = await collectorStatus(client, workflowId);
        await validateCollector(config, current.exchange, [current.dataType], symbols, {});
        update.symbols = symbols;
      }
      await handle.signal(updateSignal, update);
    }
    process.stdout.write(`${what === 'update' ? 'updated' : `${what}d`}: ${workflowId}\n`);
  } finally {
    await client.connection.close();
  }
}
