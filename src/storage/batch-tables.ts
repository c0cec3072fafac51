import { isDataType } from '../domain/data-types';
import type { BatchTable, BookkeepingTable } from '../domain/batch';
import { COLLECTION_GAPS_TABLE, MARKET_TABLES, QUARANTINE_TABLE, type TableDef } from './tables';

/** How each batch table (src/domain/batch.ts) is stored: its table definition and the column it is compared by. */

const BOOKKEEPING_DEFS: Readonly<Record<BookkeepingTable, TableDef>> = { quarantine: QUARANTINE_TABLE, collection_gaps: COLLECTION_GAPS_TABLE };

/** The epoch-ms column whose UTC day partitions each bookkeeping table (market tables use event_time). */
const BOOKKEEPING_TIME_COLUMNS: Readonly<Record<BookkeepingTable, string>> = { quarantine: 'received_at', collection_gaps: 'from_time' };

export function batchTableDef(table: BatchTable): TableDef {
  return isDataType(table) ? MARKET_TABLES[table] : BOOKKEEPING_DEFS[table];
}

/** The epoch-ms column a table is compared by (per UTC day) and `--since` filters on. */
export function timeColumnOf(table: BatchTable): string {
  return isDataType(table) ? 'event_time' : BOOKKEEPING_TIME_COLUMNS[table];
}
