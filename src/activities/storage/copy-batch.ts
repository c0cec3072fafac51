import { ApplicationFailure } from '@temporalio/common';
import { BOOKKEEPING_TABLES, isBatchTable, type BatchTable } from '../../domain/batch';
import { storeClient } from '../../storage/client';
import { BatchNotFoundError, copyBatch as copyBatchBetween, CopyVerifyError, SourcesUnavailableError, type CopiedBatch } from '../../storage/copy-batch';
import { BookkeepingVerifyError, TargetStoreError, type StoreSide } from '../../storage/copy-bookkeeping';
import { batchIdLiteral } from '../../storage/identifiers';
import type { StoreConfig } from '../../config/schema';
import { BadStorageInputError, storageFailure } from './failures';
import { heartbeat, keepHeartbeating } from './heartbeat';
import type { SchemaGuard } from './ensure-schema';
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

export interface CopyBatchResult extends CopiedBatch {
  store: string;
  batchId: string;
  table: BatchTable;
}

function checkInput(input: CopyBatchInput): void {
  if (!isBatchTable(String(input.table))) {
    throw new BadStorageInputError(`copyBatch: table '${String(input.table)}' is not a data type; use one of src/domain/data-types.ts, ${BOOKKEEPING_TABLES.join(' or ')}`);
  }
  batchIdLiteral(input.batchId);
  if (!Array.isArray(input.sources)) throw new BadStorageInputError('copyBatch: sources must be a list of store ids');
}

const side = (store: StoreConfig): StoreSide => ({ id: store.id, client: storeClient(store), database: store.database });

/**
 * Copies one batch into a store that missed it, from a store whose ledger holds it, verified on both ends
 * (copyBatch, src/storage/copy-batch.ts). Its failures become typed ApplicationFailures: BATCH_NOT_FOUND (final:
 * no source proves the batch), SOURCES_UNAVAILABLE (retried: a source could not be asked), REPAIR_VERIFY_FAILED
 * (final); a failure of the target store is classified like any store failure.
 */
export function copyBatchActivity(resolve: StoreResolver, schema?: SchemaGuard) {
  return async function copyBatch(input: CopyBatchInput): Promise<CopyBatchResult> {
    let target: StoreConfig | undefined;
    let sources: StoreConfig[];
    try {
      target = resolve(input.store);
      checkInput(input);
      sources = input.sources.map(resolve);
    } catch (err) {
      throw storageFailure(target, err);
    }
    // progress heartbeats come between steps; these cover a single long step (a large insert)
    const stopHeartbeats = keepHeartbeating();
    try {
      // A store that came back empty (or never saw a write) gets its schema before its ledger is read.
      await schema?.ensure(target);
      const byId = new Map(sources.map((s) => [s.id, s]));
      const copied = await copyBatchBetween(side(target), sources.map(side), input.table, input.batchId, {
        // a source written by an older worker may predate the batch_id columns of the bookkeeping tables
        beforeRead: async (source) => schema?.ensure(byId.get(source.id) as StoreConfig),
        progress: heartbeat,
      });
      return { store: target.id, batchId: input.batchId, table: input.table, ...copied };
    } catch (err) {
      if (err instanceof BatchNotFoundError) throw ApplicationFailure.create({ type: BATCH_NOT_FOUND, nonRetryable: true, message: err.message });
      if (err instanceof SourcesUnavailableError) throw ApplicationFailure.create({ type: SOURCES_UNAVAILABLE, nonRetryable: false, message: err.message });
      if (err instanceof CopyVerifyError || err instanceof BookkeepingVerifyError) throw verifyFailed(err.message, input.table);
      schema?.forget(target.id);
      throw storageFailure(target, err instanceof TargetStoreError ? err.failure : err);
    } finally {
      stopHeartbeats();
    }
  };
}

function verifyFailed(what: string, table: BatchTable): ApplicationFailure {
  return ApplicationFailure.create({ type: REPAIR_VERIFY_FAILED, nonRetryable: true, message: `${what}; compare with \`marketprism replicas check --table ${table}\`` });
}
