import { DATA_TYPES, isDataType, type DataType } from './data-types';
import type { CollectionGapRow, QuarantineRow, RowOf } from './rows';

/**
 * Tables a batch can target: the market tables, plus the bookkeeping tables collectors write through the
 * same quorum path (quarantined items, collection gaps). Every one of them has ledger entries and rows stamped
 * with their batch id, so each can be missed by a store that was down, compared between stores and repaired
 * by batch id.
 */
export const BOOKKEEPING_TABLES = ['quarantine', 'collection_gaps'] as const;
export type BookkeepingTable = (typeof BOOKKEEPING_TABLES)[number];
export type BatchTable = DataType | BookkeepingTable;

export const BATCH_TABLES: readonly BatchTable[] = [...DATA_TYPES, ...BOOKKEEPING_TABLES];

export function isBookkeepingTable(value: string): value is BookkeepingTable {
  return (BOOKKEEPING_TABLES as readonly string[]).includes(value);
}

export function isBatchTable(value: string): value is BatchTable {
  return isDataType(value) || isBookkeepingTable(value);
}

/** The row (without the stamps the write path adds) of a batch table. */
export type BatchRowOf<T extends BatchTable> = T extends DataType ? RowOf<T> : T extends 'quarantine' ? QuarantineRow : CollectionGapRow;

/**
 * A batch is the unit of durable writing, for market and bookkeeping tables alike. Its id is derived from its
 * content (src/exchange/batches.ts), so the same rows fetched twice make the same batch and the stores'
 * ledgers turn the second write into a no-op.
 */
export interface Batch<T extends BatchTable = BatchTable> {
  batchId: string;
  table: T;
  rows: Array<BatchRowOf<T>>;
}

/**
 * A market batch that stayed in the worker process that fetched it (issue 11, "rows need not travel through
 * workflow history"): history carries this reference, and the inserts go to `stagedOn`, the task queue only that
 * process polls, where the rows are. docs/design.md, "Rows out of workflow history", argues why nothing is lost
 * or duplicated when that process dies.
 */
export interface StagedBatch {
  batchId: string;
  table: DataType;
  /** rows in the batch */
  rowCount: number;
  /** the staging process's own task queue (src/domain/task-queues.ts, stagingQueue) */
  stagedOn: string;
}

/** Failure type of an insert whose staged batch is not in the staging process (any more). */
export const STAGED_BATCH_MISSING = 'staged_batch_missing';

/** What a write takes: a batch with its rows, or a reference to one staged in a worker. */
export type WritableBatch = Batch | StagedBatch;

export function isStaged(batch: WritableBatch): batch is StagedBatch {
  return 'stagedOn' in batch;
}

/** The exchange of a batch's rows (market rows and bookkeeping rows name it); '' for none. */
export function exchangeOfBatch(batch: Batch | undefined): string {
  const exchange = (batch?.rows[0] as { exchange?: unknown } | undefined)?.exchange;
  return typeof exchange === 'string' ? exchange : '';
}

/** Rows in a batch, staged or not. */
export function rowCountOf(batch: WritableBatch): number {
  return isStaged(batch) ? batch.rowCount : batch.rows.length;
}

/**
 * How large one fetch's batch may grow, declared together and applied by every fetch (src/exchange/fetch-loop.ts):
 *  - maxRows: rows per batch (a collector may ask for fewer);
 *  - maxBytes: the rows serialized as JSON. Batches travel through Temporal history (activity result, insert
 *    input), whose payload limit is 2 MB; the compression codec makes them far smaller, but the bound holds
 *    before compression;
 *  - maxPagingMs: how long one symbol is paged forward before the fetch returns what it has, so that after an
 *    outage the first rows are stored within about half a second instead of after the whole backlog (issue #13).
 * A fetch stops filling a batch at any bound and continues from the cursor in the next iteration, at once.
 */
export const BATCH_BOUNDS = {
  maxRows: 2_000,
  maxBytes: 768 * 1024,
  maxPagingMs: 500,
} as const;
