import { DATA_TYPES, isDataType, type DataType } from '../domain/data-types';
import type { RowOf } from '../domain/rows';
import type { CollectionGapRow, QuarantineRow } from './records';
import { COLLECTION_GAPS_TABLE, MARKET_TABLES, QUARANTINE_TABLE, type TableDef } from './tables';

/**
 * Tables a batch can target: the market tables, plus the bookkeeping tables collectors write through the
 * same quorum path (quarantined items, collection gaps). Every one of them has ledger entries and, since
 * migration 3, rows stamped with their batch id, so each can be missed by a store that was down, compared
 * between stores and repaired by batch id.
 */
export const BOOKKEEPING_TABLES = ['quarantine', 'collection_gaps'] as const;
export type BookkeepingTable = (typeof BOOKKEEPING_TABLES)[number];
export type BatchTable = DataType | BookkeepingTable;

export const BATCH_TABLES: readonly BatchTable[] = [...DATA_TYPES, ...BOOKKEEPING_TABLES];

const BOOKKEEPING_DEFS: Readonly<Record<BookkeepingTable, TableDef>> = { quarantine: QUARANTINE_TABLE, collection_gaps: COLLECTION_GAPS_TABLE };

/** The epoch-ms column whose UTC day partitions each bookkeeping table (market tables use event_time). */
const BOOKKEEPING_TIME_COLUMNS: Readonly<Record<BookkeepingTable, string>> = { quarantine: 'received_at', collection_gaps: 'from_time' };

export function isBookkeepingTable(value: string): value is BookkeepingTable {
  return (BOOKKEEPING_TABLES as readonly string[]).includes(value);
}

export function isBatchTable(value: string): value is BatchTable {
  return isDataType(value) || isBookkeepingTable(value);
}

export function batchTableDef(table: BatchTable): TableDef {
  return isDataType(table) ? MARKET_TABLES[table] : BOOKKEEPING_DEFS[table];
}

/** The epoch-ms column a table is compared by (per UTC day) and `--since` filters on. */
export function timeColumnOf(table: BatchTable): string {
  return isDataType(table) ? 'event_time' : BOOKKEEPING_TIME_COLUMNS[table];
}

/** The TS row (without stamps) of a batch table. */
export type BatchRowOf<T extends BatchTable> = T extends DataType ? RowOf<T> : T extends 'quarantine' ? QuarantineRow : CollectionGapRow;
