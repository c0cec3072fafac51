import type { DataType } from './data-types';
import type { RowOf } from './rows';

/**
 * A batch is the unit of durable writing. Its id is derived from its content (see
 * src/activities/exchange/batch-id.ts), so the same rows fetched twice make the same batch and the
 * stores' ledgers turn the second write into a no-op.
 */
export interface Batch<T extends DataType = DataType> {
  batchId: string;
  table: T;
  rows: Array<RowOf<T>>;
}

/** Where trade collection stands for one symbol: the newest trade time seen and the ids seen at that time. */
export interface TradeCursor {
  lastTime: number;
  idsAtLastTime: string[];
}

export type TradeCursors = Record<string, TradeCursor>;

/**
 * Upper bound on a batch's rows serialized as JSON. Batches travel through Temporal history (activity result,
 * child workflow input, insert input), whose payload limit is 2 MB; with the compression codec they are far
 * smaller, but the bound holds before compression. Fetch activities stop filling a batch at this size or at
 * the collector's row limit, whichever comes first, and continue from the cursor in the next iteration.
 */
export const MAX_BATCH_BYTES = 768 * 1024;
