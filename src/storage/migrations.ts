import type { ClickHouseClient } from '@clickhouse/client';
import { BATCH_TABLES } from '../domain/batch';
import { batchTableDef, timeColumnOf } from './batch-tables';
import { recomputeLedgerChecksums } from './ledger';
import type { RekeyResult } from './rekey';
import {
  BATCH_ID_SORTING_KEY_VERSION,
  BOOKKEEPING_BATCH_ID_VERSION,
  COLLECTION_GAPS_TABLE,
  EXACT_DECIMALS_VERSION,
  LEDGER_HASH_VERSION,
  BATCHES_TABLE,
  MARKET_TABLES,
  NULLABLE_LAST_AND_FUNDING_TIME_VERSION,
  SIZES_VERSION,
  NULLABLE_LIQUIDATIONS_VERSION,
  QUARANTINE_TABLE,
  SCHEMA_TABLES,
  type TableDef,
} from './tables';

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
   * Float64 → Decimal goes through text, so each value becomes the exact decimal the write path sends for it
   * (src/storage/decimal-migration.ts); it may be half done (String) after an interrupted run.
   */
  modifyColumn(def: TableDef, field: string): Promise<void>;
  /**
   * Rebuilds the table with its declared sorting key (sortingKey in tables.ts), keeping every row: 18.16 cannot
   * ALTER a sorting key. `timeColumn` is the epoch-ms column its day partitions follow. No-op when the key is
   * already right; safe to interrupt and repeat (src/storage/rekey.ts).
   */
  rekeyTable(def: TableDef, timeColumn: string): Promise<RekeyResult>;
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
    // verified by batch id (src/storage/copy-batch.ts). ADD COLUMN fills existing rows with the
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
    // Prices, amounts, ratios, rates and values become Decimal(38, 18) holding the exchange's decimal exactly
    // (ClickHouse's Float64 text parser can land one ULP off: 2.236 was stored as 2.2359999999999998). Each stored
    // double becomes the decimal the write path sends for it today (its shortest decimal; a value that was
    // misparsed keeps its one-ULP-off digits, the store cannot know better). The row checksum of these tables now
    // hashes decimal text instead of IEEE bits, so every ledger entry of theirs gets the checksum of its rows as
    // stored, computed in SQL (the same on every store holding the same rows). None of these columns is in a
    // sorting key.
    version: EXACT_DECIMALS_VERSION,
    name: 'market tables: Float64 prices, amounts and levels to Decimal(38, 18); ledger checksums over decimal text',
    async up(ctx) {
      for (const def of Object.values(MARKET_TABLES)) {
        const decimals = def.fields.filter((f) => f.kind === 'decimal' || f.kind === 'nullableDecimal' || f.kind === 'levels');
        for (const f of decimals) await ctx.modifyColumn(def, f.field);
        if (decimals.length > 0) await recomputeLedgerChecksums(ctx.client, ctx.database, def);
      }
    },
  },
  {
    // ReplacingMergeTree keeps one row per sorting key, so with the natural key alone a batch holding a trade that
    // an earlier batch also holds hid the earlier batch's row (FINAL at once, merges for good): the earlier batch
    // read back short of its ledger entry and could never be copied to a store that missed it. With batch_id
    // ending the key, batches never collapse into each other; a retried insert of one batch still does.
    // 18.16 cannot ALTER a sorting key: each table is rebuilt and its rows copied (src/storage/rekey.ts).
    version: BATCH_ID_SORTING_KEY_VERSION,
    name: 'market and bookkeeping tables: batch_id appended to the sorting key (rebuilt, rows copied)',
    async up(ctx) {
      for (const table of BATCH_TABLES) await ctx.rekeyTable(batchTableDef(table), timeColumnOf(table));
    },
  },
  {
    // "Absent is null, never zero": a ticker without a last trade (an option that has not traded, ccxt #626)
    // was quarantined with its bid and ask, and a funding rate without a next funding time was stored as 0.
    // Neither column is in its table's sorting key, so MODIFY COLUMN works on 18.16. Rows already stored keep
    // their values (funding_time 0 where the exchange did not say) and their checksums: a non-null value hashes
    // the same in the Nullable column (src/storage/columns.ts). On a store that got migration 4 in the same run,
    // ticker.last is already Nullable(Decimal(38, 18)) (4 converts to the current declaration) and is skipped.
    version: NULLABLE_LAST_AND_FUNDING_TIME_VERSION,
    name: 'ticker.last and funding_rate.funding_time nullable',
    async up(ctx) {
      await ctx.modifyColumn(MARKET_TABLES.ticker, 'last');
      await ctx.modifyColumn(MARKET_TABLES.funding_rate, 'fundingTime');
    },
  },
  {
    // Amounts mixed units across exchanges (okx open interest in contracts of 0.1 ETH, binance USD-M in ETH): each
    // row now keeps the exchange's amount and beside it the contract size and the size in base and quote currency
    // (src/domain/sizes.ts). New Nullable columns: rows stored before hold NULL there, which the checksum leaves
    // out (addedIn), so their ledger entries still verify.
    version: SIZES_VERSION,
    name: 'trades, open_interest: contract_size, base_amount (, quote_amount); orderbook: contract_size',
    async up(ctx) {
      for (const field of ['contractSize', 'baseAmount', 'quoteAmount']) await ctx.addColumn(MARKET_TABLES.trades, field);
      await ctx.addColumn(MARKET_TABLES.orderbook, 'contractSize');
      for (const field of ['contractSize', 'baseAmount']) await ctx.addColumn(MARKET_TABLES.open_interest, field);
    },
  },
  {
    // Each ledger entry records the cheap hash of its rows (the writer computes ClickHouse's cityHash64 per row in
    // TS, src/storage/cheap-hash.ts), so a backup proves a store's rows with one cheap aggregate instead of the
    // ledger checksum, which formats every decimal as text (docs/performance.md, "Backups"). Existing entries
    // read 0 (UNRECORDED_HASH) and are proved by their checksum, as before; so are entries written by a worker
    // older than this version. Not in any sorting key.
    version: LEDGER_HASH_VERSION,
    name: 'batches: hash (cheap hash of the rows) added',
    async up(ctx) {
      await ctx.addColumn(BATCHES_TABLE, 'hash');
    },
  },
];
