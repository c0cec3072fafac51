import { DATA_TYPES, FETCH_ACTIVITY, type FetchActivityName } from '../domain/data-types';
import type { FetchInput, FetchResult } from '../domain/fetch';
import { DATA_TYPE_FETCHES } from '../exchange/data-types';
import { fetchActivity } from '../exchange/fetch-loop';
import type { ExchangePool } from '../exchange/pool';
import { selectedSymbols } from '../exchange/market-symbols';
import { parseSymbolSelector } from '../domain/symbol-selector';
import type { StagingArea } from './staging';
import type { ListSymbolsInput, ListSymbolsResult } from '../domain/symbol-selector';

export type FetchActivities = Record<FetchActivityName, (input: FetchInput) => Promise<FetchResult>>;

/** listSymbols: the symbols a selector takes now, from markets loaded afresh (symbol sets follow listings with it). */
export function marketActivities(pool: ExchangePool) {
  return {
    async listSymbols(input: ListSymbolsInput): Promise<ListSymbolsResult> {
      const exchange = await pool.reloaded(input.exchange);
      return { symbols: selectedSymbols(exchange, input.dataType, parseSymbolSelector(input.selector)), markets: Object.keys(exchange.markets ?? {}).length };
    },
  };
}

/**
 * One fetch activity per data type (FETCH_ACTIVITY names them), each the shared fetch loop over its spec; a
 * fetch asked to (`input.stage`) keeps its market batch in `staging` and returns a reference to it.
 */
export function exchangeActivities(pool: ExchangePool, staging: StagingArea): FetchActivities {
  const staged = (fetch: (input: FetchInput) => Promise<FetchResult>) => async (input: FetchInput) => staging.stage(await fetch(input), input.stage);
  return Object.fromEntries(DATA_TYPES.map((type) => [FETCH_ACTIVITY[type], staged(fetchActivity(pool, DATA_TYPE_FETCHES[type]))])) as FetchActivities;
}
