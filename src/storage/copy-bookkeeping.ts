import type { ClickHouseClient } from '@clickhouse/client';
import { batchTableDef } from './batch-tables';
import type { BookkeepingTable } from '../domain/batch';
import { tableDigest, type DayDigest } from './consistency';
import { dayRowHashes, rowsByHash } from './row-hashes';
import { insertRows } from './table-io';

/**
 * The by-content fallback of copyBatch, used only for a bookkeeping batch (quarantine, collection_gaps) whose
 * rows on the source predate migration 3: they hold batch_id '', so a store cannot say which of its rows make
 * up that batch. (Batches written since are copied by batch id, like market batches: copy-batch.ts.) Such a
 * batch is repaired by content: the target gets every row the source holds and it lacks (compared per day by
 * digest, then per row by hash), stamps included. The source's ledger holds the batch, so the batch's rows are
 * among the source's; once the target holds all of the source's rows, it holds the batch. Rows are keyed on
 * their identity (ReplacingMergeTree), so copying rows the target gets again later is harmless. Bookkeeping
 * tables are small, and only differing days are read.
 */

/** A failure of the target store (the caller wraps it for that store), as opposed to one of the source. */
export class TargetStoreError extends Error {
  override name = 'TargetStoreError';
  constructor(readonly failure: unknown) {
    super((failure as Error)?.message ?? String(failure));
  }
}

/** A copy that did not take: after inserting, the target still lacks rows of the source. */
export class BookkeepingVerifyError extends Error {
  override name = 'BookkeepingVerifyError';
}

/** One end of a copy: a store's id, client and database. */
export interface StoreSide {
  id: string;
  client: ClickHouseClient;
  database: string;
}

/** `work` against the target store: its failure becomes a TargetStoreError. */
export async function onTarget<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    throw new TargetStoreError(err);
  }
}

const INSERT_CHUNK = 1_000;

function sameDay(a: DayDigest | undefined, b: DayDigest): boolean {
  return a !== undefined && a.rows === b.rows && a.checksum === b.checksum;
}

/**
 * Copies every row of `table` the source holds and the target lacks into the target, then checks the target
 * holds all of the source's rows. Returns how many rows were copied. Target failures are TargetStoreError.
 */
export async function copyMissingRows(source: StoreSide, target: StoreSide, table: BookkeepingTable, progress?: (detail: Record<string, unknown>) => void): Promise<number> {
  const def = batchTableDef(table);
  const [sourceDays, targetDays] = await Promise.all([
    tableDigest(source.client, source.database, table),
    onTarget(tableDigest(target.client, target.database, table)),
  ]);
  const differing = sourceDays.filter((d) => !sameDay(targetDays.find((t) => t.day === d.day), d)).map((d) => d.day);
  const wanted = new Map<number, string[]>();
  let copied = 0;
  for (const day of differing) {
    progress?.({ table, day, source: source.id });
    const [want, have] = await Promise.all([
      dayRowHashes(source.client, source.database, table, day),
      onTarget(dayRowHashes(target.client, target.database, table, day)),
    ]);
    wanted.set(day, want);
    const held = new Set(have);
    const lacking = [...new Set(want.filter((h) => !held.has(h)))];
    for (let i = 0; i < lacking.length; i += INSERT_CHUNK) {
      const rows = await rowsByHash<object>(source.client, source.database, table, day, lacking.slice(i, i + INSERT_CHUNK));
      await onTarget(insertRows(target.client, target.database, def, rows));
      copied += rows.length;
    }
  }
  for (const [day, want] of wanted) {
    const held = new Set(await onTarget(dayRowHashes(target.client, target.database, table, day)));
    const still = want.filter((h) => !held.has(h)).length;
    if (still > 0) throw new BookkeepingVerifyError(`${target.id} still lacks ${still} ${table} row(s) of day ${day} that ${source.id} holds after copying them`);
  }
  return copied;
}
