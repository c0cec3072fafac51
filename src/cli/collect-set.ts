import { parseDuration, type Config } from '../config/schema';
import type { FetchOptions } from '../domain/fetch';
import type { DataType } from '../domain/data-types';
import { temporalClient } from '../client/client';
import type { StartResult } from '../client/collectors';
import { DEFAULT_RELOAD_MARKETS_MS, DEFAULT_SYMBOLS_PER_COLLECTOR, startSymbolSet, symbolSetRefusal, type SymbolSetSpec } from '../client/symbol-sets';
import { output, UsageError, type GlobalOptions } from './context';
import { validateSelector } from './validate-collector';

/** `collect start --symbols all[:filters]`: one symbol set per data type (src/workflows/symbol-set.ts). */
export interface SetOptions {
  symbolsPerCollector?: string;
  reloadMarkets?: string;
}

const MIN_RELOAD_MS = 1_000;

function symbolsPerCollector(text: string | undefined): number {
  if (text === undefined) return DEFAULT_SYMBOLS_PER_COLLECTOR;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > 500) throw new UsageError(`--symbols-per-collector '${text}' is not a whole number from 1 to 500; write it like 50`);
  return n;
}

function reloadMarketsMs(text: string | undefined): number {
  if (text === undefined) return DEFAULT_RELOAD_MARKETS_MS;
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch {
    throw new UsageError(`--reload-markets '${text}' is not a positive duration; write it like 30s or 5m`);
  }
  if (ms < MIN_RELOAD_MS) throw new UsageError(`--reload-markets '${text}' is shorter than ${MIN_RELOAD_MS / 1000}s; loading every market takes the exchange's weight, write it like 30s or 5m`);
  return ms;
}

/** Checks the selector against the exchange and what runs, then starts a set per type (all or nothing). */
export async function startSymbolSets(
  opts: GlobalOptions & SetOptions & { exchange: string; symbols: string },
  config: Config,
  types: Array<DataType | 'all'>,
  intervalMs: number,
  options: FetchOptions,
): Promise<void> {
  const perCollector = symbolsPerCollector(opts.symbolsPerCollector);
  const reloadMs = reloadMarketsMs(opts.reloadMarkets);
  const selector = opts.symbols.trim();
  const selected = await validateSelector(config, opts.exchange, types, selector, options);
  const specs: Array<SymbolSetSpec & { now: number }> = selected.map((t) => ({
    exchange: opts.exchange,
    dataType: t.dataType,
    selector,
    intervalMs,
    ...(Object.keys(options).length && { options }),
    symbolsPerCollector: perCollector,
    reloadMarketsMs: reloadMs,
    now: t.symbols.length,
  }));
  const client = await temporalClient(config);
  try {
    const refusals = (await Promise.all(specs.map((s) => symbolSetRefusal(client, s)))).filter((r): r is string => r !== undefined);
    if (refusals.length > 0) throw new UsageError(`refused: ${refusals.join('; refused: ')}; nothing was started`);
    const results: Array<StartResult & { symbols: number; collectors: number }> = [];
    for (const { now, ...spec } of specs) results.push({ ...(await startSymbolSet(client, config, spec)), symbols: now, collectors: Math.ceil(now / perCollector) });
    output(opts, results, () =>
      results
        .map((r) => `${r.started ? 'started' : 'already running'}: ${r.workflowId} (${r.symbols} markets now, in ${r.collectors} collector${r.collectors === 1 ? '' : 's'} of up to ${perCollector}; markets reload every ${reloadMs / 1000}s)`)
        .join('\n'),
    );
  } finally {
    await client.connection.close();
  }
}
