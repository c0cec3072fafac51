import { createHash } from 'node:crypto';
import type { Batch, BatchRowOf, BatchTable } from '../domain/batch';
import { isDataType } from '../domain/data-types';

function digest(table: string, items: readonly object[]): string {
  const hash = createHash('sha256').update(table);
  for (const item of items) hash.update('\n').update(JSON.stringify(item));
  return `${table}-${hash.digest('hex').slice(0, 32)}`;
}

/**
 * Content-addressed batch id: `<table>-<32 hex digits of SHA-256>` over the table and the rows, market rows
 * without their receive time. A re-fetch of the same data after a crash yields the same id, so it is
 * recognised as already written. Bookkeeping rows (quarantine, collection_gaps) are hashed whole.
 */
export function batchIdFor<T extends BatchTable>(table: T, rows: ReadonlyArray<BatchRowOf<T>>): string {
  if (!isDataType(table)) return digest(table, rows);
  return digest(
    table,
    rows.map((row) => {
      const { receiveTime: _ignored, ...content } = row as { receiveTime?: number };
      return content;
    }),
  );
}

/** The batch of `rows` for `table`, its id computed from its content; null for no rows. */
export function batchOf<T extends BatchTable>(table: T, rows: Array<BatchRowOf<T>>): Batch<T> | null {
  return rows.length ? { batchId: batchIdFor(table, rows), table, rows } : null;
}
