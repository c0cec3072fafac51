import { ApplicationFailure } from '@temporalio/common';
import type { Batch } from '../../domain/batch';
import { batchRows, batchSummary } from '../../storage/batch-rows';
import { batchTableDef } from '../../storage/batch-tables';
import { BOOKKEEPING_TABLES, isBatchTable, isBookkeepingTable, type BatchRowOf, type BatchTable, type BookkeepingTable } from '../../domain/batch';
import { rowsChecksum } from '../../storage/checksum';
import { storeClient } from '../../storage/client';
import { batchIdLiteral } from '../../storage/identifiers';
import { ledgerEntry, recordBatch } from '../../storage/ledger';
import type { BatchLedgerRow } from '../../storage/records';
import type { StoreConfig } from '../../config/schema';
import { BookkeepingVerifyError, copyMissingRows, TargetStoreError, type StoreSide } from './copy-bookkeeping';
import { BadStorageInputError, storageFailure } from './failures';
import { heartbeat } from './heartbeat';
import type { SchemaGuard } from './ensure-schema';
import type { insertBatchActivity } from './insert-batch';
import type { StoreResolver } from './store-lookup';

/** Failure types copyBatch reports itself (besides store failures, which are classified as usual). */
export const BATCH_NOT_FOUND = 'batch_not_found';
export const SOURCES_UNAVAILABLE = 'repair_sources_unavailable';
export const REPAIR_VERIFY_FAILED = 'repair_verify_failed';

export interface CopyBatchInput {
  /** the lagging store, which receives the copy */
  store: string;
  /** stores to copy from, tried in order; the first whose ledger holds the batch (and whose rows match it) wins */
  sources: string[];
  batchId: string;
  /** a market table, or a bookkeeping table (quarantine, collection_gaps) */
  table: BatchTable;
}

export interface CopyBatchResult {
  store: string;
  batchId: string;
  table: BatchTable;
  rows: number;
  checksum: string;
  /** the store the rows came from; null when the target already held the batch */
  source: string | null;
  alreadyPresent: boolean;
}

function checkInput(input: CopyBatchInput): void {
  if (!isBatchTable(String(input.table))) {
    throw new BadStorageInputError(`copyBatch: table '${String(input.table)}' is not a data type; use one of src/domain/data-types.ts, ${BOOKKEEPING_TABLES.join(' or ')}`);
  }
  batchIdLiteral(input.batchId);
  if (!Array.isArray(input.sources)) throw new BadStorageInputError('copyBatch: sources must be a list of store ids');
}

/**
 * Copies one batch into a store that missed it, from a store whose ledger holds it, through the insertBatch
 * path (so the target's ledger gets its entry and a repeat is a no-op). Verified twice: the source's rows must
 * match the source's ledger entry (count and checksum) before anything is written, and the target must hold
 * exactly that afterwards. Idempotent: a batch the target already holds is left alone; a copy racing a late
 * original write inserts rows the sorting key (natural key, batch id) absorbs. Bookkeeping batches (quarantine, collection_gaps) take
 * the same path: their rows carry their batch id since migration 3. Only a bookkeeping batch whose source rows
 * predate migration 3 (batch_id '', so the source holds no row under the batch's id) is copied by content
 * instead: see copy-bookkeeping.ts.
 */
export function copyBatchActivity(resolve: StoreResolver, insert: ReturnType<typeof insertBatchActivity>, schema?: SchemaGuard) {
  return async function copyBatch(input: CopyBatchInput): Promise<CopyBatchResult> {
    let target;
    try {
      target = resolve(input.store);
      checkInput(input);
    } catch (err) {
      throw storageFailure(target, err);
    }
    const { batchId, table } = input;
    const def = batchTableDef(table);
    const base = { store: target.id, batchId, table };
    try {
      // A store that came back empty (or never saw a write) gets its schema before its ledger is read.
      await schema?.ensure(target);
      const held = await ledgerEntry(storeClient(target), target.database, batchId);
      if (held) return { ...base, rows: held.rows, checksum: held.checksum, source: null, alreadyPresent: true };
    } catch (err) {
      schema?.forget(target.id);
      throw storageFailure(target, err);
    }

    const tried: string[] = [];
    let unreachable = 0;
    for (const sourceId of input.sources.filter((s) => s !== target.id)) {
      heartbeat({ batchId, source: sourceId });
      let rows: Array<BatchRowOf<BatchTable>>;
      let entry;
      try {
        const source = resolve(sourceId);
        const client = storeClient(source);
        entry = await ledgerEntry(client, source.database, batchId);
        if (!entry) {
          tried.push(`${sourceId}: not in its ledger`);
          continue;
        }
        // a source written by an older worker may predate the batch_id columns of the bookkeeping tables
        await schema?.ensure(source);
        // The stamps (batch id, ingest time) are the source's; insertBatch stamps the copy itself.
        rows = (await batchRows(client, source.database, table, batchId)).map(({ batchId: _b, ingestTime: _i, ...row }) => row as BatchRowOf<BatchTable>);
        if (rows.length === 0 && entry.rows > 0 && isBookkeepingTable(table)) {
          // Fallback, only for bookkeeping batches written before migration 3: their rows hold batch_id '', so
          // the source cannot say which rows are the batch's. Copy by content instead (copy-bookkeeping.ts).
          heartbeat({ batchId, source: sourceId, copied: await copyBookkeeping(target, { id: sourceId, client, database: source.database }, table, entry) });
          // the target's ledger lacked the batch (checked above): it holds it now, through this copy
          return { ...base, rows: entry.rows, checksum: entry.checksum, source: sourceId, alreadyPresent: false };
        }
      } catch (err) {
        if (err instanceof BadStorageInputError) throw storageFailure(undefined, err);
        if (err instanceof TargetStoreError) throw storageFailure(target, err.failure);
        if (err instanceof BookkeepingVerifyError) throw verifyFailed(err.message, table);
        unreachable += 1;
        tried.push(`${sourceId}: ${(err as Error).message.split('\n')[0]}`);
        continue;
      }
      const checksum = rowsChecksum(def, rows);
      if (rows.length !== entry.rows || checksum !== entry.checksum) {
        tried.push(`${sourceId}: holds ${rows.length} rows (checksum ${checksum}) but its ledger says ${entry.rows} (${entry.checksum})`);
        continue;
      }
      heartbeat({ batchId, source: sourceId, rows: rows.length });
      const written = await insert({ store: target.id, batch: { batchId, table, rows } as Batch });
      let stored;
      try {
        stored = await batchSummary(storeClient(target), target.database, table, batchId);
      } catch (err) {
        throw storageFailure(target, err);
      }
      if (stored.rows !== entry.rows || stored.checksum !== entry.checksum) {
        throw verifyFailed(`copy of batch ${batchId} into ${target.id} holds ${stored.rows} rows (checksum ${stored.checksum}), ${sourceId} holds ${entry.rows} (${entry.checksum})`, table);
      }
      return { ...base, rows: entry.rows, checksum: entry.checksum, source: sourceId, alreadyPresent: written.alreadyPresent };
    }
    const why = tried.length ? tried.join('; ') : 'no other store configured';
    if (unreachable > 0) {
      // Some source could not be asked: it may hold the batch once it is back. Retry later.
      throw ApplicationFailure.create({ type: SOURCES_UNAVAILABLE, nonRetryable: false, message: `batch ${batchId} for ${target.id}: no source could provide it now (${why})` });
    }
    throw ApplicationFailure.create({ type: BATCH_NOT_FOUND, nonRetryable: true, message: `batch ${batchId} (${table}) is in no usable source ledger (${why}); nothing to copy into ${target.id}` });
  };
}

function verifyFailed(what: string, table: BatchTable): ApplicationFailure {
  return ApplicationFailure.create({ type: REPAIR_VERIFY_FAILED, nonRetryable: true, message: `${what}; compare with \`marketprism replicas check --table ${table}\`` });
}

/**
 * The fallback for a bookkeeping batch written before migration 3 (its source rows have no batch id): the
 * target gets every row of the table the source holds and it lacks (verified), then the source's ledger
 * entry, so the target holds the batch. Returns how many rows were copied (0: it had them).
 */
async function copyBookkeeping(target: StoreConfig, source: StoreSide, table: BookkeepingTable, entry: BatchLedgerRow): Promise<number> {
  const targetSide = { id: target.id, client: storeClient(target), database: target.database };
  const copied = await copyMissingRows(source, targetSide, table);
  try {
    await recordBatch(targetSide.client, target.database, { batchId: entry.batchId, tableName: table, rows: entry.rows, checksum: entry.checksum });
  } catch (err) {
    throw new TargetStoreError(err);
  }
  return copied;
}
