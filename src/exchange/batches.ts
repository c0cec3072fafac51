import { createHash } from 'node:crypto';
import type { DataType } from '../domain/data-types';
import type { AnyRow } from '../domain/rows';

function digest(table: string, items: readonly object[]): string {
  const hash = createHash('sha256').update(table);
  for (const item of items) hash.update('\n').update(JSON.stringify(item));
  return `${table}-${hash.digest('hex').slice(0, 32)}`;
}

/**
 * Content-addressed batch id: a hash of the table and the rows without their receive time. A re-fetch of
 * the same data after a crash yields the same id, so it is recognised as already written.
 */
export function batchIdFor(table: DataType, rows: AnyRow[]): string {
  return digest(
    table,
    rows.map(({ receiveTime: _ignored, ...content }) => content),
  );
}

/** The same for bookkeeping rows (quarantine, collection_gaps), which carry no receive time to leave out. */
export function recordBatchIdFor(table: 'quarantine' | 'collection_gaps', rows: readonly object[]): string {
  return digest(table, rows);
}
