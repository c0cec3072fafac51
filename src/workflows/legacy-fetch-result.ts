import type { Batch } from '../domain/batch';
import type { FetchResult } from '../domain/fetch';
import type { CollectionGapRow, QuarantineRow } from '../domain/rows';

/**
 * The shape fetch activities returned before every result became a list of batches. Collector histories
 * recorded then hold it in their activity results, and must replay (test/workflows/histories).
 */
interface LegacyFetchResult {
  batch: Batch | null;
  cursors: FetchResult['cursors'];
  rejected: QuarantineRow[];
  gaps: CollectionGapRow[];
  rejectedBatchId: string | null;
  gapsBatchId: string | null;
  caughtUp: boolean;
}

/** A fetch result in the current shape, whichever shape it was recorded in; the batches in the order they were written. */
export function currentFetchResult(result: FetchResult | LegacyFetchResult): FetchResult {
  if ('batches' in result) return result;
  const batches: Batch[] = [];
  if (result.batch) batches.push(result.batch);
  if (result.rejectedBatchId && result.rejected.length) batches.push({ batchId: result.rejectedBatchId, table: 'quarantine', rows: result.rejected });
  if (result.gapsBatchId && result.gaps.length) batches.push({ batchId: result.gapsBatchId, table: 'collection_gaps', rows: result.gaps });
  return { batches, cursors: result.cursors, caughtUp: result.caughtUp };
}
