import type { Batch, BatchRowOf, BatchTable } from '../../src/domain/batch';
import type { FetchResult } from '../../src/domain/fetch';

/** The batch of `table` a fetch returned, if any. */
export function batchIn<T extends BatchTable>(result: FetchResult, table: T): Batch<T> | undefined {
  return result.batches.find((b): b is Batch<T> => b.table === table);
}

/** The rows of `table` a fetch returned ([] when it returned no such batch). */
export function rowsIn<T extends BatchTable>(result: FetchResult, table: T): Array<BatchRowOf<T>> {
  return batchIn(result, table)?.rows ?? [];
}
