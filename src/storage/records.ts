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
  /** set by the store (DEFAULT now()), read back as epoch ms; not sent on insert */
  insertedAt?: number;
}

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
