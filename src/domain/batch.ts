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
