import { createHash } from 'node:crypto';
import type { DataType } from '../../domain/data-types';
import type { AnyRow } from '../../domain/rows';

/**
 * Content-addressed batch id: a hash of the table and the rows without their receive time. A re-fetch of
 * the same data after a crash yields the same id, so it is recognised as already written.
 */
export function batchIdFor(table: DataType, rows: AnyRow[]): string {
  const hash = createHash('sha256').update(table);
  for (const row of rows) {
    const { receiveTime: _ignored, ...content } = row;
    hash.update('\n').update(JSON.stringify(content));
  }
  return `${table}-${hash.digest('hex').slice(0, 32)}`;
}
