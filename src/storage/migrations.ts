import type { ClickHouseClient } from '@clickhouse/client';
import { BOOKKEEPING_BATCH_ID_VERSION, COLLECTION_GAPS_TABLE, MARKET_TABLES, NULLABLE_LAST_AND_FUNDING_TIME_VERSION, NULLABLE_LIQUIDATIONS_VERSION, QUARANTINE_TABLE, SCHEMA_TABLES, type TableDef } from './tables';

/**
 * Versioned schema changes, applied in order once per store and recorded in schema_migrations.
 *
 * Rules for adding one (see docs/storage.md): change the declaration in src/storage/tables.ts AND append a
 * migration here. Version 1 creates tables from the current declarations, so a fresh store already has a
 * later column: migrations must be idempotent (use ctx.addColumn, which skips existing columns; new tables
 * go through ctx.createTable, which is CREATE TABLE IF NOT EXISTS). Never edit or reorder an applied one.
 */
export interface MigrationContext {
  client: ClickHouseClient;
  database: string;
  exec(sql: string): Promise<void>;
  /** CREATE TABLE IF NOT EXISTS from the declaration */
  createTable(def: TableDef): Promise<void>;
  /** ALTER TABLE ADD COLUMN for a declared field (after the column declared before it), skipping columns that exist */
  addColumn(def: TableDef, field: string): Promise<void>;
  /**
   * ALTER TABLE MODIFY COLUMN to the declared type, skipping columns that have it already. Only for columns
   * outside the sorting key (ClickHouse cannot change a key column's type; 18.16 allows no Nullable key).
   */
  modifyColumn(def: TableDef, field: string): Promise<void>;
  columnExists(table: string, column: string): Promise<boolean>;
  /** the column's type as system.columns reports it, undefined when the table has no such column */
  columnType(table: string, column: string): Promise<string | undefined>;
}

export interface Migration {
  version: number;
  name: string;
  up(ctx: MigrationContext): Promise<void>;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'baseline: market tables, batches ledger, alerts, collection_gaps, quarantine',
    async up(ctx) {
      for (const def of SCHEMA_TABLES) await ctx.createTable(def);
    },
  },
  {
    // Deribit's public liquidations (bankruptcy settlements) carry no side, price, contracts or id; they were
    // quarantined until these columns could hold NULL. liquidation_id stays the (non-null) sorting key.
    version: NULLABLE_LIQUIDATIONS_VERSION,
    name: 'liquidations: side, price, amount nullable; base_value added',
    async up(ctx) {
      const def = MARKET_TABLES.liquidations;
      for (const field of ['side', 'price', 'amount']) await ctx.modifyColumn(def, field);
      await ctx.addColumn(def, 'baseValue');
    },
  },
  {
    // Bookkeeping rows get the batch stamps market rows have, so a missed bookkeeping batch is copied and
    // verified by batch id (src/activities/storage/copy-batch.ts). ADD COLUMN fills existing rows with the
    // type's default: batch_id '' (how copyBatch recognizes a batch written before this migration), ingest_time 0.
    version: BOOKKEEPING_BATCH_ID_VERSION,
    name: 'quarantine, collection_gaps: batch_id and ingest_time added',
    async up(ctx) {
      for (const def of [QUARANTINE_TABLE, COLLECTION_GAPS_TABLE]) {
        await ctx.addColumn(def, 'batchId');
        await ctx.addColumn(def, 'ingestTime');
      }
    },
  },
  {
    // "Absent is null, never zero": a ticker without a last trade (an option that has not traded, ccxt #626)
    // was quarantined with its bid and ask, and a funding rate without a next funding time was stored as 0.
    // Neither column is in its table's sorting key, so MODIFY COLUMN works on 18.16. Rows already stored keep
    // their values (funding_time 0 where the exchange did not say) and their checksums: a non-null value hashes
    // the same in the Nullable column (src/storage/columns.ts).
    version: NULLABLE_LAST_AND_FUNDING_TIME_VERSION,
    name: 'ticker.last and funding_rate.funding_time nullable',
    async up(ctx) {
      await ctx.modifyColumn(MARKET_TABLES.ticker, 'last');
      await ctx.modifyColumn(MARKET_TABLES.funding_rate, 'fundingTime');
    },
  },
];
