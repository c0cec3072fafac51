import type { BatchTable } from '../domain/batch';
import { BackupError } from './errors';
import type { NativeBatchCounter } from './native';

/** What a Native chunk must hold: its table, rows and columns, and its batches with their row counts. */
export interface ChunkExpectation {
  table: BatchTable | 'alerts';
  rows: number;
  columns?: readonly string[];
  batches: ReadonlyArray<{ batchId: string; table: BatchTable; rows: number }>;
}

/**
 * Checks a walked Native chunk (src/backup/native.ts) against what the manifest lists for it: exactly its batches,
 * each with its row count, none already in an earlier chunk (`seen`: the caller adds this chunk's batches once it
 * passed) nor listed twice, the chunk's row total and columns. Used as a chunk is written
 * (src/backup/archive-writer.ts) and when a backup is verified (verify.ts).
 * Throws BackupError naming `file` and what is wrong.
 */
export function checkChunkCounts(file: string, counter: NativeBatchCounter, expected: ChunkExpectation, seen: ReadonlySet<string>): void {
  const listedIds = new Set<string>();
  for (const b of expected.batches) {
    if (seen.has(b.batchId) || listedIds.has(b.batchId)) throw new BackupError(`${file}: holds batch ${b.batchId} a second time`);
    listedIds.add(b.batchId);
  }
  for (const id of counter.rowsByBatch.keys()) if (!listedIds.has(id)) throw new BackupError(`${file}: holds rows of batch ${id}, which the manifest does not list in this chunk`);
  for (const b of expected.batches) {
    const n = counter.rowsByBatch.get(b.batchId) ?? 0;
    if (b.table !== expected.table) throw new BackupError(`${file}: batch ${b.batchId} is listed as ${b.table}, the chunk holds ${expected.table}`);
    if (n !== b.rows) throw new BackupError(`${file}: batch ${b.batchId} holds ${n} rows, the manifest says ${b.rows}`);
  }
  if (counter.rows !== expected.rows) throw new BackupError(`${file}: holds ${counter.rows} rows, the manifest says ${expected.rows}`);
  if (counter.columns && expected.columns && counter.columns.join(',') !== expected.columns.join(',')) throw new BackupError(`${file}: its columns (${counter.columns.join(', ')}) are not the manifest's`);
}
