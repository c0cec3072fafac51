import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { StagingArea } from '../../src/activities/staging';
import { STAGED_BATCH_MISSING, type Batch, type StagedBatch } from '../../src/domain/batch';
import type { FetchResult } from '../../src/domain/fetch';
import { batchOf } from '../../src/exchange/batches';
import { sampleRows } from '../storage/sample-rows';

/** The worker-local staging of fetched batches (issue 11, part 2): what it keeps, hands out and drops. */
describe('staging area', () => {
  const result = (from: number, rows = 3): FetchResult => ({
    batches: [batchOf('trades', sampleRows('trades', rows, from))!, { batchId: `quarantine-${from}`, table: 'quarantine', rows: [] }],
    cursors: {},
    caughtUp: true,
  });
  const missing = (err: unknown) => err instanceof ApplicationFailure && err.type === STAGED_BATCH_MISSING && err.nonRetryable;

  it('keeps the market batch and returns a reference; bookkeeping batches and unasked fetches stay inline', () => {
    const staging = new StagingArea();
    const fetched = result(1_000);
    assert.equal(staging.stage(fetched, true), fetched, 'no staging queue yet: rows inline');
    staging.queue = 'staged/test';
    assert.equal(staging.stage(fetched, false), fetched, 'not asked: rows inline');
    const staged = staging.stage(fetched, true);
    const [ref, quarantine] = staged.batches;
    const trades = fetched.batches[0] as Batch;
    assert.deepEqual(ref, { batchId: trades.batchId, table: 'trades', rowCount: 3, stagedOn: 'staged/test' } satisfies StagedBatch);
    assert.equal(quarantine, fetched.batches[1]);
    assert.equal(staging.take(trades.batchId), trades);
  });

  it('drops a batch once every store took it, when idle too long, or oldest first beyond its row bound', () => {
    let now = 0;
    const staging = new StagingArea({ maxRows: 5, idleMs: 1_000 }, () => now);
    staging.queue = 'staged/test';
    const idOf = (r: FetchResult) => (r.batches[0] as StagedBatch).batchId;
    const a = idOf(staging.stage(result(1_000), true));
    staging.stored(a, 'primary', 2);
    assert.ok(staging.take(a), 'one of two stores took it: still held');
    staging.stored(a, 'replica-1', 2);
    assert.throws(() => staging.take(a), missing, 'both took it: dropped');

    const b = idOf(staging.stage(result(2_000), true));
    now = 1_500;
    const c = idOf(staging.stage(result(3_000), true));
    assert.throws(() => staging.take(b), missing, 'idle for 1.5 s: dropped');
    const d = idOf(staging.stage(result(4_000), true));
    assert.throws(() => staging.take(c), missing, '6 rows held with a bound of 5: the oldest dropped');
    assert.ok(staging.take(d));
    assert.equal(staging.size, 1);
  });
});
