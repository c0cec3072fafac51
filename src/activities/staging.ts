import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { exchangeOfBatch, isStaged, STAGED_BATCH_MISSING, type Batch, type StagedBatch } from '../domain/batch';
import { isDataType, type DataType } from '../domain/data-types';
import type { FetchResult } from '../domain/fetch';
import type { InsertBatchInput, InsertBatchResult } from './storage';

/**
 * The batches this worker process fetched and keeps for their inserts (issue 11, "rows need not travel through
 * workflow history"; docs/design.md, "Rows out of workflow history"). History carries a StagedBatch instead of the
 * rows, and the inserts come to `queue`, the task queue only this process polls.
 *
 * Nothing depends on a batch staying here: one that is gone (this process restarted, or the batch dropped by the
 * bounds below) fails its insert with STAGED_BATCH_MISSING, and the write recovers from what the stores hold,
 * exactly as when this process dies (src/workflows/quorum-write.ts). The bounds only keep memory in check:
 * a batch is dropped once every store it was meant for took it, when untouched for `idleMs`, or, oldest first,
 * when more than `maxRows` rows are held.
 */
export class StagingArea {
  private readonly held = new Map<string, { batch: Batch; touchedAt: number; storedIn: Set<string> }>();
  private heldRows = 0;
  /** the task queue this process's staging worker polls; unset: fetches return their rows inline */
  queue: string | undefined;

  constructor(
    private readonly limits: { maxRows: number; idleMs: number } = { maxRows: 200_000, idleMs: 2 * 60_000 },
    private readonly now: () => number = Date.now,
  ) {}

  /** Batches held now (for tests and metrics). */
  get size(): number {
    return this.held.size;
  }

  /**
   * The result with its market batch kept here and replaced by a StagedBatch, when asked for (`stage`) and this
   * process serves a staging queue; bookkeeping batches (quarantine, gaps: small) stay inline.
   */
  stage(result: FetchResult, wanted: boolean | undefined): FetchResult {
    const queue = this.queue;
    if (!wanted || !queue) return result;
    return {
      ...result,
      batches: result.batches.map((batch) => {
        if (isStaged(batch) || !isDataType(batch.table)) return batch;
        this.put(batch);
        return { batchId: batch.batchId, table: batch.table as DataType, rowCount: batch.rows.length, stagedOn: queue } satisfies StagedBatch;
      }),
    };
  }

  /** The staged batch; throws a non-retryable STAGED_BATCH_MISSING ApplicationFailure when it is not held here. */
  take(batchId: string): Batch {
    const entry = this.held.get(batchId);
    if (!entry) {
      throw ApplicationFailure.create({
        type: STAGED_BATCH_MISSING,
        nonRetryable: true,
        message: `batch ${batchId} is not staged in this worker (restarted, or dropped after ${this.limits.idleMs / 1000} s idle); the write recovers it from the stores or refetches it`,
      });
    }
    entry.touchedAt = this.now();
    return entry.batch;
  }

  /** Records that `store` holds the batch; once all `stores` do, it is dropped. */
  stored(batchId: string, store: string, stores: number): void {
    const entry = this.held.get(batchId);
    if (!entry) return;
    entry.storedIn.add(store);
    if (entry.storedIn.size >= stores) this.drop(batchId);
  }

  private put(batch: Batch): void {
    const now = this.now();
    if (!this.held.has(batch.batchId)) {
      this.held.set(batch.batchId, { batch, touchedAt: now, storedIn: new Set() });
      this.heldRows += batch.rows.length;
    }
    for (const [id, entry] of this.held) {
      const idle = now - entry.touchedAt > this.limits.idleMs;
      if (idle || (this.heldRows > this.limits.maxRows && id !== batch.batchId)) this.drop(id);
    }
  }

  private drop(batchId: string): void {
    const entry = this.held.get(batchId);
    if (!entry) return;
    this.held.delete(batchId);
    this.heldRows -= entry.batch.rows.length;
  }
}

/** Whether this activity attempt is cancelled (timed out on the server, or the worker shuts down); false outside an activity. */
function attemptCancelled(): boolean {
  try {
    return Context.current().cancellationSignal.aborted;
  } catch {
    return false;
  }
}

export interface InsertStagedInput {
  /** store id from the config (the breaker's dependency, as for insertBatch) */
  store: string;
  batchId: string;
  /** how many stores the batch goes to: it is dropped from staging once that many took it */
  storeCount: number;
}

/**
 * insertStaged: insertBatch for a batch staged in this process. Runs only on this process's staging queue.
 * Throws STAGED_BATCH_MISSING (non-retryable) when the batch is not here, and what insertBatch throws.
 */
export function stagingActivities(staging: StagingArea, insertBatch: (input: InsertBatchInput) => Promise<InsertBatchResult>) {
  return {
    async insertStaged(input: InsertStagedInput): Promise<InsertBatchResult> {
      const batch = staging.take(input.batchId);
      // an attempt Temporal already gave up on (it sat at a store's gate past its heartbeat timeout, say) must not
      // write now: the write may have moved on to copying or refetching the batch (docs/design.md)
      if (attemptCancelled()) throw new CancelledFailure(`insert of batch ${input.batchId} into ${input.store} was given up by Temporal before it started writing`);
      const result = await insertBatch({ store: input.store, batch });
      staging.stored(input.batchId, input.store, input.storeCount);
      return { ...result, exchange: exchangeOfBatch(batch) };
    },
  };
}
