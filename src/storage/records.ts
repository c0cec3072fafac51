/**
 * Rows of the tables only stores have (ledger, alerts, schema versions); rows that travel in batches, market
 * and bookkeeping alike, are in src/domain/rows.ts. Times are epoch ms, like market rows.
 */

/** The ledger: one entry per batch a store holds. Written after the batch's rows, so an entry means "all rows are in". */
export interface BatchLedgerRow {
  batchId: string;
  tableName: string;
  rows: number;
  /** order-independent checksum of the batch's rows (src/storage/checksum.ts), UInt64 as a decimal string */
  checksum: string;
  /**
   * the sum of the rows' cheap hashes (src/storage/cheap-hash.ts: ClickHouse's cityHash64 per row, computed by the
   * writer from the rows it inserts), UInt64 as a decimal string; UNRECORDED_HASH for entries written before schema
   * version 8 or by an older worker (18.16 fills a column an insert leaves out with 0). Backups prove a store's
   * rows by it (src/backup/export.ts).
   */
  hash: string;
  /** set by the store (DEFAULT now()), read back as epoch ms; not sent on insert */
  insertedAt?: number;
}

/** A ledger entry's `hash` when none was recorded. */
export const UNRECORDED_HASH = '0';

export type AlertSeverity = 'info' | 'warning' | 'critical';
export type AlertState = 'open' | 'resolved';

/** Alerts: the latest row per key (by updatedAt) is the alert's state. */
export interface AlertRow {
  key: string;
  severity: AlertSeverity;
  source: string;
  message: string;
  raisedAt: number;
  /** 0 while open */
  resolvedAt: number;
  state: AlertState;
  updatedAt: number;
}

/** One applied schema migration (src/storage/migrations.ts). */
export interface SchemaMigrationRow {
  version: number;
  name: string;
  appliedAt?: number;
}
