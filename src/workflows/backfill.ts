import { executeChild, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import { DEFAULT_POLICIES } from '../reliability/policies';
import { backfillProgressQuery, chunksOf, chunkWorkflowId, type BackfillChunk, type BackfillInput, type BackfillProgress } from './backfill-api';
import { BackfillChunkWorkflow, coveringStores } from './backfill-chunk';
import { resumePoint } from './stored-cursors';

/** How often the newest-stored lookup is tried again while too few stores answer it. */
const LOOKUP_RETRY_MS = 5_000;

/**
 * Historical trades for some symbols over [fromTime, toTime), split into chunks of `chunkMs` per symbol, run
 * `parallelism` at a time as BackfillChunkWorkflows on the exchange's queue (so every worker serving it takes
 * some). Durable like any workflow: a worker killed mid-run loses nothing, the chunks go on on the others.
 *
 * What the live collectors own is left to them: per symbol the range ends at the newest trade the stores hold
 * when the backfill starts (a running collector writes everything after its cursor, and a collector started
 * later resumes from that same point), so the two never fetch the same trades; inside the range, trades the
 * stores already hold are left out chunk by chunk (fetchBackfill). Progress is the `backfillProgress` query.
 */
export async function BackfillWorkflow(input: BackfillInput): Promise<BackfillProgress> {
  const policies = input.policies ?? DEFAULT_POLICIES;
  const progress: BackfillProgress = {
    exchange: input.exchange,
    symbols: input.symbols,
    fromTime: input.fromTime,
    toTime: input.toTime,
    ends: {},
    chunks: 0,
    chunksDone: 0,
    rows: 0,
    gaps: 0,
    missing: 0,
    running: [],
    failed: [],
    startedAt: workflowInfo().startTime.getTime(),
    done: false,
  };
  setHandler(backfillProgressQuery, () => progress);

  // where each symbol's range ends: its newest stored trade, if earlier than toTime (from enough stores to know)
  const minStores = coveringStores(input.stores.length, input.quorum);
  const collector = { exchange: input.exchange, dataType: 'trades' as const, symbols: input.symbols, intervalMs: 0, stores: input.stores, quorum: input.quorum, maxRowsPerBatch: input.maxRowsPerBatch };
  for (;;) {
    const stored = await resumePoint(collector, input.symbols, policies);
    if (stored && stored.answered.length >= minStores) {
      for (const s of input.symbols) progress.ends[s] = Math.min(input.toTime, stored.cursors[s]?.lastTime ?? input.toTime);
      break;
    }
    await sleep(LOOKUP_RETRY_MS);
  }

  const pending = chunksOf(input.symbols, input.fromTime, progress.ends, input.chunkMs);
  progress.chunks = pending.length;
  const chunkInput = { exchange: input.exchange, stores: input.stores, quorum: input.quorum, maxRowsPerBatch: input.maxRowsPerBatch, ...(input.policies && { policies: input.policies }) };
  const runOne = async (chunk: BackfillChunk): Promise<void> => {
    progress.running.push(chunk);
    try {
      const r = await executeChild(BackfillChunkWorkflow, { workflowId: chunkWorkflowId(workflowInfo().workflowId, chunk), args: [{ ...chunkInput, ...chunk }] });
      progress.rows += r.rows;
      progress.gaps += r.gaps;
      progress.missing += Math.max(0, r.check.missing - r.gaps);
      progress.chunksDone += 1;
    } catch (err) {
      progress.failed.push({ ...chunk, error: (err as Error).message });
    } finally {
      progress.running = progress.running.filter((c) => c !== chunk);
    }
  };
  await Promise.all(
    Array.from({ length: Math.max(1, input.parallelism) }, async () => {
      for (let chunk = pending.shift(); chunk; chunk = pending.shift()) await runOne(chunk);
    }),
  );
  progress.done = true;
  return progress;
}
