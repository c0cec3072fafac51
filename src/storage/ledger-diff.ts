import type { ClickHouseClient } from '@clickhouse/client';
import { isBatchTable, type BatchTable } from '../domain/batch';
import { qualified } from './identifiers';
import { BATCHES_TABLE } from './tables';

/** One batch a store should hold: what a repair hint names. */
export interface BatchRef {
  batchId: string;
  table: BatchTable;
}

/**
 * Every batch in a store's ledger (id and table), in batch id order. The ledger holds one small row per batch, so
 * even a long history is a modest read; callers diff these sets between stores.
 */
export async function ledgerBatches(client: ClickHouseClient, database: string): Promise<BatchRef[]> {
  return (await ledgerBatchTimes(client, database)).map(({ batchId, table }) => ({ batchId, table }));
}

/**
 * Every batch in a store's ledger with when the store recorded it (`recordedAt`: epoch ms of `inserted_at`,
 * whole seconds; 0 for entries of 18.16 stores from before it was filled), in batch id order: one read for
 * callers that want all entries and those recorded before some time (src/storage/replica-check.ts).
 */
export async function ledgerBatchTimes(client: ClickHouseClient, database: string): Promise<Array<BatchRef & { recordedAt: number }>> {
  const query = `SELECT batch_id, table_name, toUInt32(inserted_at) AS recorded_s FROM ${qualified(database, BATCHES_TABLE.name)} FINAL ORDER BY batch_id`;
  let result;
  try {
    result = await client.query({ query, format: 'JSONEachRow' });
  } catch (err) {
    if (isMissingSchema(err)) return []; // a store that never received a write holds no batch
    throw err;
  }
  const rows = await result.json<{ batch_id: string; table_name: string; recorded_s: number | string }>();
  // market and bookkeeping batches alike: a store that was down missed both
  return rows.filter((r) => isBatchTable(r.table_name)).map((r) => ({ batchId: r.batch_id, table: r.table_name as BatchTable, recordedAt: Number(r.recorded_s) * 1000 }));
}

/** Batches some other ledger holds and `target` lacks, in batch id order, each once. */
export function missingFrom(target: readonly BatchRef[], others: ReadonlyArray<readonly BatchRef[]>): BatchRef[] {
  const held = new Set(target.map((b) => b.batchId));
  const missing = new Map<string, BatchRef>();
  for (const ledger of others) for (const b of ledger) if (!held.has(b.batchId) && !missing.has(b.batchId)) missing.set(b.batchId, b);
  return [...missing.values()].sort((a, b) => (a.batchId < b.batchId ? -1 : a.batchId > b.batchId ? 1 : 0));
}

/**
 * Whether the store recorded the entry before `epochMs`, compared in the whole seconds inserted_at holds (entries of
 * 18.16 stores from before it was filled hold the zero date, so they count as old).
 */
export function recordedBefore(entry: { recordedAt: number }, epochMs: number): boolean {
  return entry.recordedAt < Math.floor(Math.max(0, epochMs) / 1000) * 1000;
}

/** ClickHouse's UNKNOWN_DATABASE (81) and UNKNOWN_TABLE (60): the store was never migrated. */
function isMissingSchema(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === '81' || code === '60';
}
