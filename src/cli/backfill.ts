import type { Command } from 'commander';
import { parseDuration, type Config } from '../config/schema';
import { startBackfill, waitForBackfill } from '../client/backfills';
import { temporalClient } from '../client/client';
import { isSymbolSelector } from '../domain/symbol-selector';
import type { BackfillProgress } from '../workflows/backfill-api';
import { formatMs } from '../workflows/summaries';
import { configFrom, output, UsageError, type GlobalOptions } from './context';
import { progressBar } from './progress';
import { validateCollector, validateSelector } from './validate-collector';

interface BackfillOptions extends GlobalOptions {
  exchange: string;
  type: string;
  symbols: string;
  from: string;
  to?: string;
  chunk: string;
  parallel: string;
  detach?: boolean;
}

/** --from/--to: an ISO date or time (UTC unless it says otherwise), or a duration meaning that long ago (7d). */
export function parseTimeArg(text: string, flag: string, now = Date.now()): number {
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const t = Date.parse(/T.*(Z|[+-]\d{2}:?\d{2})$/.test(text) || !text.includes('T') ? text : `${text}Z`);
    if (Number.isFinite(t)) return t;
  } else {
    try {
      return now - parseDuration(text);
    } catch {
      // falls through to the error below
    }
  }
  throw new UsageError(`${flag} '${text}' is neither a date/time like 2026-11-01 or 2026-11-01T12:00:00Z nor a duration ago like 7d or 12h`);
}

function positiveWhole(text: string, flag: string, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > max) throw new UsageError(`${flag} '${text}' is not a whole number from 1 to ${max}; write it like 4`);
  return n;
}

/** Exchanges whose trade history can be paged forward from a time (paging/trades.ts): binance by hour then id, deribit by time. */
function pagingRefusal(config: Config, exchangeId: string): string | undefined {
  /* eslint-disable @typescript-eslint/no-require-imports -- ccxt loads only when a backfill is checked */
  const { createExchange } = require('../exchange/client') as typeof import('../exchange/client');
  const { tradePaging } = require('../exchange/paging/trades') as typeof import('../exchange/paging/trades');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const kind = tradePaging(createExchange(exchangeId, config.exchanges[exchangeId])).kind;
  if (kind === 'from-id' || kind === 'since') return undefined;
  return kind === 'latest-only'
    ? `${exchangeId} serves only its latest trades, so it has no history to backfill`
    : `${exchangeId}'s trade history is paged back from its newest trades only, not forward from a time; backfill runs on exchanges paged by time or id from a time (binance, binanceusdm, deribit)`;
}

function describe(p: BackfillProgress, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? p.rows / (elapsedMs / 1000) : 0;
  const left = p.chunks - p.chunksDone;
  const eta = p.chunksDone > 0 && left > 0 ? ` ETA ${formatMs(Math.round((elapsedMs / p.chunksDone) * left))}` : '';
  return `chunks, ${p.rows} rows, ${Math.round(rate)} rows/s${eta}`;
}

function summary(id: string, p: BackfillProgress, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? Math.round(p.rows / (elapsedMs / 1000)) : 0;
  const lines = [
    `backfilled ${id}: ${p.rows} trades stored in ${p.chunksDone} of ${p.chunks} chunks (${rate} rows/s); ${p.gaps} gap row(s) recorded where the exchange no longer serves trades; ${p.missing} id(s) missing unexplained`,
  ];
  for (const s of p.symbols) if (p.ends[s] !== undefined && p.ends[s] < p.toTime) lines.push(`  ${s}: up to ${new Date(p.ends[s]).toISOString()}, its newest stored trade (later ones are its collector's)`);
  for (const f of p.failed.slice(0, 5)) lines.push(`  failed: ${f.symbol} ${new Date(f.fromTime).toISOString()}: ${f.error}`);
  return lines.join('\n');
}

export function registerBackfill(program: Command): void {
  program
    .command('backfill')
    .description('store the trades of a past time range, in chunks run in parallel across the workers (resumable; beside live collectors without duplicates)')
    .requiredOption('--exchange <id>', 'ccxt exchange id, e.g. binanceusdm')
    .option('--type <type>', 'data type (trades)', 'trades')
    .requiredOption('--symbols <symbols>', 'comma-separated ccxt unified symbols, or all, all:swap, all:USDT')
    .requiredOption('--from <time>', 'start: 2026-11-01, 2026-11-01T12:00:00Z, or a duration ago such as 7d')
    .option('--to <time>', 'end (exclusive), as --from; default now')
    .option('--chunk <duration>', 'length of one chunk of one symbol', '1h')
    .option('--parallel <n>', 'chunks in flight at once (spread over the workers of the exchange\'s queue)', '4')
    .option('--detach', 'return once started; follow it with the Temporal UI')
    .option('--json', 'print JSON')
    .action(async (_o: BackfillOptions, cmd: Command) => {
      const opts = cmd.optsWithGlobals<BackfillOptions>();
      const config = configFrom(opts);
      if (opts.type !== 'trades') throw new UsageError(`backfill covers trades (got --type ${opts.type}); snapshots such as order books cannot be fetched for the past`);
      const now = Date.now();
      const fromTime = parseTimeArg(opts.from, '--from', now);
      const toTime = opts.to === undefined ? now : parseTimeArg(opts.to, '--to', now);
      if (toTime > now) throw new UsageError(`--to ${new Date(toTime).toISOString()} is in the future; leave it out to backfill up to now`);
      if (fromTime >= toTime) throw new UsageError(`--from ${new Date(fromTime).toISOString()} is not before --to ${new Date(toTime).toISOString()}; give an earlier --from`);
      let chunkMs: number;
      try {
        chunkMs = parseDuration(opts.chunk);
      } catch {
        throw new UsageError(`--chunk '${opts.chunk}' is not a duration; write it like 15m or 1h`);
      }
      if (chunkMs < 1_000) throw new UsageError(`--chunk '${opts.chunk}' is shorter than 1s; write it like 15m or 1h`);
      const parallelism = positiveWhole(opts.parallel, '--parallel', 64);
      if (!config.exchanges[opts.exchange]) throw new UsageError(`exchange '${opts.exchange}' is not configured; add it under exchanges: (configured: ${Object.keys(config.exchanges).join(', ') || 'none'})`);
      const refusal = pagingRefusal(config, opts.exchange);
      if (refusal) throw new UsageError(`cannot backfill: ${refusal}`);
      const text = opts.symbols.trim();
      let symbols: string[];
      if (isSymbolSelector(text)) symbols = (await validateSelector(config, opts.exchange, ['trades'], text))[0].symbols;
      else {
        symbols = text.split(',').map((s) => s.trim()).filter(Boolean);
        await validateCollector(config, opts.exchange, ['trades'], symbols);
      }
      const spec = { exchange: opts.exchange, symbols, fromTime, toTime, chunkMs, parallelism };
      const client = await temporalClient(config);
      try {
        const { handle, started } = await startBackfill(client, config, spec);
        if (opts.detach) {
          output(opts, { workflowId: handle.workflowId, started }, () => `${started ? 'started' : 'already running'}: ${handle.workflowId}`);
          return;
        }
        if (!opts.json) process.stderr.write(`${started ? 'started' : 'following'} ${handle.workflowId}: ${symbols.length} symbol(s) from ${new Date(fromTime).toISOString()} to ${new Date(toTime).toISOString()}\n`);
        const bar = progressBar('backfill');
        const begun = Date.now();
        let result: BackfillProgress;
        try {
          result = await waitForBackfill(handle, (p) => bar.update(p.chunksDone, p.chunks, describe(p, Date.now() - begun)));
        } finally {
          bar.stop();
        }
        const elapsed = Date.now() - begun;
        output(opts, { workflowId: handle.workflowId, ...result, elapsedMs: elapsed }, () => summary(handle.workflowId, result, elapsed));
        if (result.failed.length > 0) process.exitCode = 1;
      } finally {
        await client.connection.close();
      }
    });
}

