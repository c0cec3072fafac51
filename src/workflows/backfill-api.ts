import { defineQuery } from '@temporalio/workflow';
import type { Cursor } from '../domain/cursor';
import type { Policies } from '../reliability/policies';
import type { BackfillCheck } from '../domain/backfill';

/**
 * BackfillWorkflow's contract with its callers (`marketprism backfill`, tests): trades of some symbols over a past
 * time range, in chunks run as child workflows in parallel across the workers of the exchange's queue.
 */
export interface BackfillInput {
  exchange: string;
  symbols: string[];
  /** epoch ms, inclusive */
  fromTime: number;
  /** epoch ms, exclusive; per symbol no later than its newest stored trade (the collectors' part: see backfill.ts) */
  toTime: number;
  /** length of one chunk, ms */
  chunkMs: number;
  /** chunks in flight at once */
  parallelism: number;
  stores: string[];
  quorum: number;
  maxRowsPerBatch: number;
  policies?: Policies;
}

/** One symbol over [fromTime, toTime). */
export interface BackfillChunk {
  symbol: string;
  fromTime: number;
  toTime: number;
}

export interface BackfillChunkInput extends Omit<BackfillInput, 'symbols' | 'fromTime' | 'toTime' | 'chunkMs' | 'parallelism'>, BackfillChunk {
  /** carried across continue-as-new */
  carried?: { cursor: Cursor; rows: number; batches: number; gaps: number };
}

export interface BackfillChunkResult extends BackfillChunk {
  /** trades stored by this chunk (those the stores already held are left out) */
  rows: number;
  batches: number;
  /** gap rows recorded (trades the exchange no longer serves) */
  gaps: number;
  check: BackfillCheck;
}

export interface BackfillProgress {
  exchange: string;
  symbols: string[];
  fromTime: number;
  toTime: number;
  /** per symbol, where the range ends (the newest stored trade's time when that is earlier than toTime) */
  ends: Record<string, number>;
  chunks: number;
  chunksDone: number;
  rows: number;
  gaps: number;
  /** ids missing inside finished chunks that no gap row explains (should stay 0) */
  missing: number;
  running: BackfillChunk[];
  failed: Array<BackfillChunk & { error: string }>;
  /** workflow time the backfill began, epoch ms */
  startedAt: number;
  done: boolean;
}

export const backfillProgressQuery = defineQuery<BackfillProgress>('backfillProgress');

/** Chunks of every symbol's range, oldest first across symbols (so progress moves through time evenly). */
export function chunksOf(symbols: readonly string[], fromTime: number, ends: Record<string, number>, chunkMs: number): BackfillChunk[] {
  const chunks: BackfillChunk[] = [];
  for (let t = fromTime; symbols.some((s) => t < (ends[s] ?? fromTime)); t += chunkMs) {
    for (const symbol of symbols) {
      const end = ends[symbol] ?? fromTime;
      if (t < end) chunks.push({ symbol, fromTime: t, toTime: Math.min(t + chunkMs, end) });
    }
  }
  return chunks;
}

/** backfill/…/BTC-USDT-USDT/1700000000000: a chunk's workflow id under its backfill's. */
export function chunkWorkflowId(backfillId: string, chunk: BackfillChunk): string {
  return `${backfillId}/${chunk.symbol.replace(/[/:]/g, '-')}/${chunk.fromTime}`;
}
