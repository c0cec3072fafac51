import type { Batch, BatchRowOf, BatchTable, BookkeepingTable } from '../domain/batch';
import { isBookkeepingTable } from '../domain/batch';
import { batchRows, batchSummary } from './batch-rows';
import { batchTableDef } from './batch-tables';
import { rowsChecksum } from './checksum';
import { BookkeepingVerifyError, copyMissingRows, onTarget, TargetStoreError, type StoreSide } from './copy-bookkeeping';
import { ledgerEntry, recordBatch } from './ledger';
import type { BatchLedgerRow } from './records';
import { writeBatch } from './write-batch';

/** No source's ledger holds the batch with rows that prove it: nothing can be copied, now or later. */
export class BatchNotFoundError extends Error {
  override name = 'BatchNotFoundError';
}

/** Some source could not be asked: it may hold the batch once it is back, so the copy can be tried again. */
export class SourcesUnavailableError extends Error {
  override name = 'SourcesUnavailableError';
}

/** The copy was written but the target does not hold what the source's ledger says. */
export class CopyVerifyError extends Error {
  override name = 'CopyVerifyError';
}

export interface CopiedBatch {
  rows: number;
  checksum: string;
  /** the store the rows came from; null when the target already held the batch */
  source: string | null;
  alreadyPresent: boolean;
}

export interface CopyHooks {
  /** before a source's rows are read (e.g. bring its schema up to date: an older worker may have written it) */
  beforeRead?: (source: StoreSide) => Promise<void>;
  /** progress, for heartbeats */
  progress?: (detail: Record<string, unknown>) => void;
}

/**
 * Copies batch `batchId` of `table` into `target`, from the first of `sources` whose ledger holds it and whose rows
 * match that entry (count and checksum), through writeBatch (so the target's ledger gets its entry and a repeat is a
 * no-op); afterwards the target must hold exactly what the source's entry says. A batch the target's ledger already
 * holds is left alone (call it with the target's schema in place). A copy racing a late original write inserts rows
 * the sorting key (natural key, batch id) absorbs. Only a bookkeeping batch whose source rows predate migration 3
 * (batch_id '') is copied by content instead (copy-bookkeeping.ts).
 *
 * Throws TargetStoreError (a failure of the target), CopyVerifyError, SourcesUnavailableError (some source could not
 * be asked) or BatchNotFoundError (every source answered, none proves the batch); each message is one line naming the
 * batch and what each source said.
 */
export async function copyBatch(target: StoreSide, sources: readonly StoreSide[], table: BatchTable, batchId: string, hooks: CopyHooks = {}): Promise<CopiedBatch> {
  const held = await onTarget(ledgerEntry(target.client, target.database, batchId));
  if (held) return { rows: held.rows, checksum: held.checksum, source: null, alreadyPresent: true };
  const def = batchTableDef(table);
  const tried: string[] = [];
  let unreachable = 0;
  for (const source of sources.filter((s) => s.id !== target.id)) {
    hooks.progress?.({ batchId, source: source.id });
    let rows: Array<BatchRowOf<BatchTable>>;
    let entry: BatchLedgerRow | undefined;
    try {
      entry = await ledgerEntry(source.client, source.database, batchId);
      if (!entry) {
        tried.push(`${source.id}: not in its ledger`);
        continue;
      }
      await hooks.beforeRead?.(source);
      // The stamps (batch id, ingest time) are the source's; writeBatch stamps the copy itself.
      rows = (await batchRows(source.client, source.database, table, batchId)).map(({ batchId: _b, ingestTime: _i, ...row }) => row as BatchRowOf<BatchTable>);
      if (rows.length === 0 && entry.rows > 0 && isBookkeepingTable(table)) {
        // only bookkeeping batches written before migration 3: their rows hold batch_id '', so the source cannot
        // say which rows are the batch's. Copy by content instead.
        hooks.progress?.({ batchId, source: source.id, copied: await copyBookkeeping(target, source, table, entry, hooks) });
        // the target's ledger lacked the batch (checked above): it holds it now, through this copy
        return { rows: entry.rows, checksum: entry.checksum, source: source.id, alreadyPresent: false };
      }
    } catch (err) {
      if (err instanceof TargetStoreError || err instanceof BookkeepingVerifyError) throw err;
      unreachable += 1;
      tried.push(`${source.id}: ${(err as Error).message.split('\n')[0]}`);
      continue;
    }
    const checksum = rowsChecksum(def, rows);
    if (rows.length !== entry.rows || checksum !== entry.checksum) {
      tried.push(`${source.id}: holds ${rows.length} rows (checksum ${checksum}) but its ledger says ${entry.rows} (${entry.checksum})`);
      continue;
    }
    hooks.progress?.({ batchId, source: source.id, rows: rows.length });
    const written = await onTarget(writeBatch(target.client, target.database, { batchId, table, rows } as Batch));
    const stored = await onTarget(batchSummary(target.client, target.database, table, batchId));
    if (stored.rows !== entry.rows || stored.checksum !== entry.checksum) {
      throw new CopyVerifyError(`copy of batch ${batchId} into ${target.id} holds ${stored.rows} rows (checksum ${stored.checksum}), ${source.id} holds ${entry.rows} (${entry.checksum})`);
    }
    return { rows: entry.rows, checksum: entry.checksum, source: source.id, alreadyPresent: written.alreadyPresent };
  }
  const why = tried.length ? tried.join('; ') : 'no other store configured';
  if (unreachable > 0) throw new SourcesUnavailableError(`batch ${batchId} for ${target.id}: no source could provide it now (${why})`);
  throw new BatchNotFoundError(`batch ${batchId} (${table}) is in no usable source ledger (${why}); nothing to copy into ${target.id}`);
}

/**
 * The fallback for a bookkeeping batch written before migration 3 (its source rows have no batch id): the target
 * gets every row of the table the source holds and it lacks (verified), then the source's ledger entry, so the
 * target holds the batch. Returns how many rows were copied (0: it had them).
 */
async function copyBookkeeping(target: StoreSide, source: StoreSide, table: BookkeepingTable, entry: BatchLedgerRow, hooks: CopyHooks): Promise<number> {
  const copied = await copyMissingRows(source, target, table, hooks.progress);
  await onTarget(recordBatch(target.client, target.database, { batchId: entry.batchId, tableName: table, rows: entry.rows, checksum: entry.checksum, hash: entry.hash }));
  return copied;
}
