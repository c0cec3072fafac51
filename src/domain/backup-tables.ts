import { isBatchTable, type BatchTable } from './batch';

/** What a restore can be limited to (`restore --tables`): the batch tables, and 'alerts' (not batches). */
export type RestoreTable = BatchTable | 'alerts';

export function isRestoreTable(value: string): value is RestoreTable {
  return value === 'alerts' || isBatchTable(value);
}
