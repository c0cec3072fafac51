import { DATA_TYPES, FETCH_ACTIVITY, type FetchActivityName } from '../domain/data-types';
import type { FetchInput, FetchResult } from '../domain/fetch';
import { DATA_TYPE_FETCHES } from '../exchange/data-types';
import { fetchActivity } from '../exchange/fetch-loop';
import type { ExchangePool } from '../exchange/pool';

export type FetchActivities = Record<FetchActivityName, (input: FetchInput) => Promise<FetchResult>>;

/** One fetch activity per data type (FETCH_ACTIVITY names them), each the shared fetch loop over its spec. */
export function exchangeActivities(pool: ExchangePool): FetchActivities {
  return Object.fromEntries(DATA_TYPES.map((type) => [FETCH_ACTIVITY[type], fetchActivity(pool, DATA_TYPE_FETCHES[type])])) as FetchActivities;
}
