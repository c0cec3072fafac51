import { continueAsNew, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { rowCountOf } from '../domain/batch';
import type { Cursor } from '../domain/cursor';
import { activityOptions } from '../reliability/activity-options';
import { DEFAULT_POLICIES } from '../reliability/policies';
import type { BackfillChunkInput, BackfillChunkResult } from './backfill-api';
import type { CollectorInput } from './collector-api';
import { STAGED_BATCHES_PATCH, writeResult } from './collector-writes';

const MAX_HISTORY_EVENTS = 5_000;

/** At least this many stores together hold every batch written at quorum (N − W + 1). */
export function coveringStores(stores: number, quorum: number): number {
  return Math.max(1, stores - quorum + 1);
}

/**
 * One symbol's trades over [fromTime, toTime): paged forward from a cursor just before fromTime (fetchBackfill:
 * the collectors' fetch loop, bounded at toTime, leaving out trades the stores already hold), each batch written at
 * quorum before the cursor moves, as a collector does, so a worker killed at any point loses nothing and stores
 * nothing twice (the batch is refetched from the unmoved cursor; its ledger entry makes a repeated write a no-op).
 * Done when a fetch no longer moves the cursor; then the stored ids are checked for holes (backfillCheck).
 */
export async function BackfillChunkWorkflow(input: BackfillChunkInput): Promise<BackfillChunkResult> {
  const policies = input.policies ?? DEFAULT_POLICIES;
  const { fetchBackfill } = proxyActivities<Activities>(activityOptions('exchangeFetch', policies));
  const { backfillCheck } = proxyActivities<Activities>(activityOptions('storeRead', policies));
  const minStores = coveringStores(input.stores.length, input.quorum);
  const writer: CollectorInput = {
    exchange: input.exchange,
    dataType: 'trades',
    symbols: [input.symbol],
    intervalMs: 0,
    stores: input.stores,
    quorum: input.quorum,
    maxRowsPerBatch: input.maxRowsPerBatch,
    ...(input.policies && { policies: input.policies }),
  };
  const state = input.carried ?? { cursor: { lastTime: input.fromTime - 1, idsAtLastTime: [] } as Cursor, rows: 0, batches: 0, gaps: 0 };
  for (;;) {
    const stage = patched(STAGED_BATCHES_PATCH);
    const result = await fetchBackfill({
      exchange: input.exchange,
      symbols: [input.symbol],
      cursors: { [input.symbol]: state.cursor },
      maxRows: input.maxRowsPerBatch,
      untilTime: input.toTime,
      stores: input.stores,
      minStores,
      ...(stage && { stage }),
    });
    // false: the staged batch was lost with its worker before any store held it; fetched again from the same cursor
    if (await writeResult(writer, result)) {
      for (const batch of result.batches) {
        if (batch.table === 'trades') {
          state.rows += rowCountOf(batch);
          state.batches += 1;
        } else if (batch.table === 'collection_gaps') state.gaps += rowCountOf(batch);
      }
      const next = result.cursors[input.symbol];
      const moved = next !== undefined && JSON.stringify(next) !== JSON.stringify(state.cursor);
      if (!moved) break;
      state.cursor = next;
    }
    if (workflowInfo().historyLength > MAX_HISTORY_EVENTS || workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof BackfillChunkWorkflow>({ ...input, carried: state });
    }
  }
  const check = await backfillCheck({ exchange: input.exchange, symbol: input.symbol, fromTime: input.fromTime, toTime: input.toTime, stores: input.stores, minStores });
  return { symbol: input.symbol, fromTime: input.fromTime, toTime: input.toTime, rows: state.rows, batches: state.batches, gaps: state.gaps, check };
}
