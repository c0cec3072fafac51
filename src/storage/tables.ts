import { DATA_TYPES, type DataType } from '../domain/data-types';
import { ROW_BASE_KINDS, ROW_KINDS } from '../domain/row-kinds';
import type { RowBase, RowOf } from '../domain/rows';
import type { ColumnKind } from './columns';
import { snakeCase } from './identifiers';
import type { CollectionGapRow, QuarantineRow } from '../domain/rows';
import type { AlertRow, BatchLedgerRow, SchemaMigrationRow } from './records';

/**
 * Every ClickHouse table, declared once. A declaration names the TS fields (camelCase) and their column kinds;
 * the snake_case columns, the DDL (src/storage/ddl.ts), the row conversions (src/storage/row-codec.ts) and the
 * checksum (src/storage/checksum.ts) are all derived from it. The TS types force every row field to be declared.
 *
 * Compatibility floor is ClickHouse 18.16: UInt64 epoch ms instead of DateTime64 (a DateTime ALIAS for reading),
 * no LowCardinality, no TTL (retention drops day partitions). Every engine is a ReplacingMergeTree, so a repeated
 * insert is absorbed. Tables written in batches sort on (natural key, batch_id): a row is never merged away by
 * another batch's row with the same natural key, so each batch stays provable against its ledger entry
 * (ClickHouse issues #23702, #2386: FINAL and merges keep one row per sorting key). Reads that want one row per
 * natural key say so (src/storage/per-key.ts); docs/storage.md, "Why batch_id is in the sorting key".
 */

export interface TableField {
  /** camelCase, as in TS rows */
  field: string;
  /** snake_case, as in ClickHouse (a `levels` field spans <column>_price and <column>_amount) */
  column: string;
  kind: ColumnKind;
  /**
   * Schema version (src/storage/migrations.ts) that added this field to a table that already existed. Such a
   * field must be nullable; while NULL it is left out of the row checksum, so batches written before it existed
   * keep the checksum their ledger entries recorded (src/storage/checksum.ts).
   */
  addedIn?: number;
}

export interface TableDef {
  name: string;
  /** the row's own fields, in canonical (checksum) order */
  fields: readonly TableField[];
  /** fields the write path stamps on every batch row (market and bookkeeping): stored, not part of the row checksum */
  stamps: readonly TableField[];
  /** ALIAS columns: computed on read, never stored */
  aliases: ReadonlyArray<{ name: string; type: string; expression: string }>;
  /** ReplacingMergeTree version column, if the latest row per key must win */
  versionColumn?: string;
  partitionBy?: string;
  /**
   * The natural key: what one row of data is (a trade id on an exchange and symbol, a snapshot's instant). The
   * sorting key (sortingKey) is this, plus batch_id for tables written in batches.
   */
  naturalKey: readonly string[];
}

type Kinds<R> = { [K in keyof R]-?: ColumnKind };
type FieldName<R> = keyof R & string;

/** Day (UTC) of an epoch-ms column, as YYYYMMDD: the partition id retention drops. */
export function dayPartition(column: string): string {
  return `toYYYYMMDD(toDateTime(intDiv(${column}, 1000), 'UTC'))`;
}

/** The partition id (as used in ALTER TABLE ... DROP PARTITION) of the UTC day holding epochMs. */
export function partitionIdForDay(epochMs: number): number {
  const d = new Date(epochMs);
  return d.getUTCFullYear() * 10_000 + (d.getUTCMonth() + 1) * 100 + d.getUTCDate();
}

/** The schema version that appended batch_id to the sorting key of every table written in batches (migrations.ts). */
export const BATCH_ID_SORTING_KEY_VERSION = 5;

/** The column that ends the sorting key of every table written in batches (migration 5). */
export const BATCH_ID_COLUMN = 'batch_id';

/** Whether the table's rows carry the batch stamps (market and bookkeeping tables; not ledger, alerts, migrations). */
export function isBatchTableDef(def: TableDef): boolean {
  return def.stamps.some((f) => f.column === BATCH_ID_COLUMN);
}

/**
 * The table's ORDER BY: the natural key, then batch_id for tables written in batches. Rows with equal sorting
 * keys are one row after merges (and with FINAL): so the same batch written twice collapses (a retry after a
 * crash between rows and ledger entry), while two batches holding the same natural key keep a row each.
 */
export function sortingKey(def: TableDef): string[] {
  return isBatchTableDef(def) ? [...def.naturalKey, BATCH_ID_COLUMN] : [...def.naturalKey];
}

function fieldsOf<R>(kinds: Kinds<R>): TableField[] {
  return Object.entries(kinds as Record<string, ColumnKind>).map(([field, kind]) => ({ field, column: snakeCase(field), kind }));
}

function table<R>(
  name: string,
  spec: { fields: Kinds<R>; orderBy: Array<FieldName<R>>; version?: FieldName<R>; partitionBy?: string },
): TableDef {
  return {
    name,
    fields: fieldsOf(spec.fields),
    stamps: [],
    aliases: [],
    naturalKey: spec.orderBy.map(snakeCase),
    ...(spec.version && { versionColumn: snakeCase(spec.version) }),
    ...(spec.partitionBy && { partitionBy: spec.partitionBy }),
  };
}

/** Fields every market row carries, first in every market table (kinds declared in src/domain/row-kinds.ts). */
const MARKET_BASE: Kinds<RowBase> = ROW_BASE_KINDS;

/**
 * What the write path adds to every row of a batch (src/storage/write-batch.ts), market or
 * bookkeeping. Bookkeeping rows written before migration 3 read back with batchId '' and ingestTime 0.
 */
export interface BatchStamp {
  batchId: string;
  /** epoch ms when MarketPrism wrote the batch: the incremental-backup watermark */
  ingestTime: number;
}
const BATCH_STAMP: Kinds<BatchStamp> = { batchId: 'string', ingestTime: 'uint64' };

export type StoredRow<T extends DataType> = RowOf<T> & BatchStamp;

function marketTable<T extends DataType>(
  name: T,
  own: Kinds<Omit<RowOf<T>, keyof RowBase>>,
  key: Array<FieldName<RowOf<T>>>,
  addedIn: Partial<Record<FieldName<RowOf<T>>, number>> = {},
): TableDef {
  const def = table<RowOf<T>>(name, {
    fields: { ...MARKET_BASE, ...own } as Kinds<RowOf<T>>,
    orderBy: ['exchange', 'symbol', ...key] as Array<FieldName<RowOf<T>>>,
    partitionBy: dayPartition('event_time'),
  });
  const added = addedIn as Record<string, number | undefined>;
  return {
    ...def,
    fields: def.fields.map((f) => (added[f.field] === undefined ? f : { ...f, addedIn: added[f.field] })),
    stamps: fieldsOf(BATCH_STAMP),
    aliases: [{ name: 'event_dt', type: 'DateTime', expression: 'toDateTime(intDiv(event_time, 1000))' }],
  };
}

/** The schema version that made liquidation side/price/amount nullable and added base_value (migrations.ts). */
export const NULLABLE_LIQUIDATIONS_VERSION = 2;

/** The schema version that made prices, amounts and order book levels Decimal(38, 18) (migrations.ts). */
export const EXACT_DECIMALS_VERSION = 4;

/**
 * The schema version that made ticker.last and funding_rate.funding_time nullable (migrations.ts): a ticker
 * without a last trade (an option that has not traded, ccxt #626) and a funding rate without a next funding
 * time are stored with NULL there, never 0. Neither column is in its table's sorting key.
 */
export const NULLABLE_LAST_AND_FUNDING_TIME_VERSION = 6;

/**
 * The schema version that added contract size and base/quote amounts beside amounts stated in the exchange's
 * unit (trades, open_interest) and the contract size of order book levels (migrations.ts; src/domain/sizes.ts).
 */
export const SIZES_VERSION = 7;

/**
 * The schema version that added the cheap hash to the ledger (records.ts BatchLedgerRow.hash), so a backup proves a
 * store's rows by one cheap aggregate instead of the ledger checksum (src/backup/export.ts; docs/backups.md).
 */
export const LEDGER_HASH_VERSION = 8;

/**
 * Market tables: the row kinds come from src/domain/row-kinds.ts (the normalizers check rows against the same
 * declaration), the natural keys are declared here. A Nullable column cannot be in an 18.16 sorting key.
 */
export const MARKET_TABLES: Readonly<Record<DataType, TableDef>> = {
  trades: marketTable('trades', ROW_KINDS.trades, ['tradeId'], { contractSize: SIZES_VERSION, baseAmount: SIZES_VERSION, quoteAmount: SIZES_VERSION }),
  orderbook: marketTable('orderbook', ROW_KINDS.orderbook, ['eventTime'], { contractSize: SIZES_VERSION }),
  // funding_time: NULL when the exchange gives no next funding time (deribit's funding is continuous)
  funding_rate: marketTable('funding_rate', ROW_KINDS.funding_rate, ['eventTime']),
  open_interest: marketTable('open_interest', ROW_KINDS.open_interest, ['eventTime'], { contractSize: SIZES_VERSION, baseAmount: SIZES_VERSION }),
  // Deribit's settlements carry no side, price, contracts or id (docs/collection.md): those are NULL, never 0.
  // The key stays liquidation_id: the exchange's id, else derived from the event's time and size
  // (src/exchange/normalize/liquidations.ts).
  liquidations: marketTable('liquidations', ROW_KINDS.liquidations, ['liquidationId'], { baseValue: NULLABLE_LIQUIDATIONS_VERSION }),
  lsr_top_position: marketTable('lsr_top_position', ROW_KINDS.lsr_top_position, ['period', 'eventTime']),
  lsr_all_account: marketTable('lsr_all_account', ROW_KINDS.lsr_all_account, ['period', 'eventTime']),
  volatility_index: marketTable('volatility_index', ROW_KINDS.volatility_index, ['resolution', 'eventTime']),
  // last: NULL for an instrument that has not traded yet; bid and ask are still stored
  ticker: marketTable('ticker', ROW_KINDS.ticker, ['eventTime']),
};

export const BATCHES_TABLE = table<BatchLedgerRow>('batches', {
  fields: { batchId: 'string', tableName: 'string', rows: 'uint32', checksum: 'hash64', hash: 'hash64', insertedAt: 'insertTime' },
  orderBy: ['batchId'],
  partitionBy: 'toYYYYMM(inserted_at)',
});

export const ALERTS_TABLE = table<AlertRow>('alerts', {
  fields: {
    key: 'string',
    severity: 'string',
    source: 'string',
    message: 'string',
    raisedAt: 'uint64',
    resolvedAt: 'uint64',
    state: 'string',
    updatedAt: 'uint64',
  },
  orderBy: ['key'],
  version: 'updatedAt',
});

/**
 * The schema version that stamped the bookkeeping tables' rows with batch_id and ingest_time (migrations.ts),
 * so replica repair copies and verifies their batches by batch id like market batches. The stamps are not
 * nullable and not checksummed: older rows hold '' and 0, and keep the checksum their ledger entry recorded.
 */
export const BOOKKEEPING_BATCH_ID_VERSION = 3;

/** A bookkeeping table written in batches through the quorum path: its rows carry the batch stamps. */
function bookkeepingTable<R>(name: string, spec: Parameters<typeof table<R>>[1]): TableDef {
  return { ...table<R>(name, spec), stamps: fieldsOf(BATCH_STAMP) };
}

export const COLLECTION_GAPS_TABLE = bookkeepingTable<CollectionGapRow>('collection_gaps', {
  fields: { exchange: 'string', dataType: 'string', symbol: 'string', fromTime: 'uint64', toTime: 'uint64', reason: 'string', detectedAt: 'uint64' },
  orderBy: ['exchange', 'dataType', 'symbol', 'fromTime'],
  partitionBy: dayPartition('from_time'),
});

export const QUARANTINE_TABLE = bookkeepingTable<QuarantineRow>('quarantine', {
  fields: { exchange: 'string', dataType: 'string', symbol: 'string', reason: 'string', raw: 'string', receivedAt: 'uint64' },
  orderBy: ['exchange', 'dataType', 'symbol', 'receivedAt', 'raw'],
  partitionBy: dayPartition('received_at'),
});

export const SCHEMA_MIGRATIONS_TABLE = table<SchemaMigrationRow>('schema_migrations', {
  fields: { version: 'uint32', name: 'string', appliedAt: 'insertTime' },
  orderBy: ['version'],
});

/** Every table of the schema (schema_migrations is created by src/storage/migrate.ts before migrations run). */
export const SCHEMA_TABLES: readonly TableDef[] = [
  ...DATA_TYPES.map((t) => MARKET_TABLES[t]),
  BATCHES_TABLE,
  ALERTS_TABLE,
  COLLECTION_GAPS_TABLE,
  QUARANTINE_TABLE,
];
