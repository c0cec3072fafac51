import type { Config } from '../config/schema';
import type { FetchInput, FetchResult } from '../domain/fetch';
import type { TradeRow } from '../domain/rows';
import type { BackfillCheck } from '../domain/backfill';
import { compareIds } from '../domain/cursor';
import { DATA_TYPE_FETCHES } from '../exchange/data-types';
import { fetchBatches } from '../exchange/fetch-loop';
import type { StagingArea } from './staging';
import type { ExchangePool } from '../exchange/pool';
import { quirksOf } from '../exchange/venues';
import { storeClient } from '../storage/client';
import { storedTradeIds } from '../storage/stored-ids';
import { storeResolver } from './storage/store-lookup';

/**
 * Backfill's activities (src/workflows/backfill-chunk.ts): a bounded trade fetch that leaves out what the stores
 * already hold, and the contiguity check of a finished chunk. "What the stores hold" is the union over at least
 * `minStores` stores (N − W + 1): every batch written at quorum W of N is on at least one of any N − W + 1 stores,
 * so a trade a live collector stored is never stored again in a backfill batch.
 */
export interface StoreSet {
  /** store ids (looked up in the worker's config: no URL or secret in history) */
  stores: string[];
  /** stores that must answer */
  minStores: number;
}

export interface BackfillFetchInput extends FetchInput, StoreSet {
  untilTime: number;
}

export interface BackfillCheckInput extends StoreSet {
  exchange: string;
  symbol: string;
  /** epoch ms, inclusive / exclusive */
  fromTime: number;
  toTime: number;
}

export class TooFewStoresError extends Error {
  override name = 'TooFewStoresError';
}

export function backfillActivities(pool: ExchangePool, config: Config, staging: StagingArea) {
  const resolve = storeResolver(() => config);
  /** ids held by the stores in [fromTime, toTime] (inclusive), union over those that answer; at least minStores must */
  const heldIds = async (set: StoreSet, q: { exchange: string; symbol: string; fromTime: number; toTime: number }): Promise<Set<string>> => {
    const answers = await Promise.allSettled(set.stores.map((id) => {
      const store = resolve(id);
      return storedTradeIds(storeClient(store), store.database, q);
    }));
    const answered = answers.filter((a): a is PromiseFulfilledResult<string[]> => a.status === 'fulfilled');
    if (answered.length < set.minStores) {
      const why = answers.find((a): a is PromiseRejectedResult => a.status === 'rejected')?.reason as Error | undefined;
      throw new TooFewStoresError(`${answered.length} of ${set.stores.length} stores answered (${why?.message.split('\n')[0] ?? ''}); a backfill needs ${set.minStores} to know which trades are stored`);
    }
    return new Set(answered.flatMap((a) => a.value));
  };

  return {
    /** One bounded fetch of trades from the cursors, rows the stores already hold left out (cursors still move past them). */
    async fetchBackfill(input: BackfillFetchInput): Promise<FetchResult> {
      const result = await fetchBatches(pool, DATA_TYPE_FETCHES.trades, input, async (rows: TradeRow[]) => {
        const kept: TradeRow[] = [];
        for (const symbol of new Set(rows.map((r) => r.symbol))) {
          const mine = rows.filter((r) => r.symbol === symbol);
          const times = mine.map((r) => r.eventTime);
          const held = await heldIds(input, { exchange: input.exchange, symbol, fromTime: Math.min(...times), toTime: Math.max(...times) });
          kept.push(...mine.filter((r) => !held.has(r.tradeId)));
        }
        return kept;
      });
      return staging.stage(result, input.stage);
    },

    /** What the stores hold of one symbol in [fromTime, toTime), and where its ids have holes. */
    async backfillCheck(input: BackfillCheckInput): Promise<BackfillCheck> {
      const ids = [...(await heldIds(input, { exchange: input.exchange, symbol: input.symbol, fromTime: input.fromTime, toTime: input.toTime - 1 }))];
      const sequential = quirksOf(input.exchange).tradeSequence === 'id';
      const sorted = ids.filter((id) => /^\d+$/.test(id)).sort(compareIds).map(BigInt);
      const holes: Array<[string, string]> = [];
      let missing = 0n;
      if (sequential) {
        for (let i = 1; i < sorted.length; i++) {
          const gap = sorted[i] - sorted[i - 1] - 1n;
          if (gap > 0n) {
            missing += gap;
            if (holes.length < 20) holes.push([(sorted[i - 1] + 1n).toString(), (sorted[i] - 1n).toString()]);
          }
        }
      }
      return { stored: ids.length, firstId: sorted[0]?.toString() ?? null, lastId: sorted.at(-1)?.toString() ?? null, sequential, missing: Number(missing), holes };
    },
  };
}
