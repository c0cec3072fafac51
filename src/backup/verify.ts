import { batchTableDef } from '../storage/batch-tables';
import { rowsChecksum } from '../storage/checksum';
import { ALERTS_TABLE } from '../storage/tables';
import { BackupError } from './errors';
import type { BackupKeyring } from './key';
import { readBatches, readChain, readChunk, readNativeChunk } from './archive-reader';
import { checkChunkCounts } from './chunk-contents';
import { countNativeGzip, NativeFormatError } from './native';
import { backupFile, MANIFEST_FILE, type BackupManifest } from './manifest';
import type { BackupStore } from './store';

/**
 * Verifying a stored backup without any ClickHouse: its manifest (key id, MAC), that its chain of parents is
 * there, and every chunk: present, size and SHA-256 as recorded, authentic under the key, and holding exactly
 * the manifest's batches, each with the recorded row count and checksum (recomputed from the rows), plus the
 * alert rows. Each problem is one line naming the file and what is wrong.
 */
export interface VerifyReport {
  backupId: string;
  ok: boolean;
  problems: string[];
  chunks: number;
  batches: number;
  rows: number;
  bytes: number;
}

const MOD = 2n ** 64n;

export interface VerifyOptions {
  /**
   * Walk every Native chunk's rows (default true). false right after a backup wrote the chunks: each was walked
   * and checked against its batches as it was sealed (src/backup/archive-writer.ts), and reading it back here
   * checks SHA-256 and AES-GCM's tag, which hold only for those very bytes; `backup verify` always walks.
   */
  walk?: boolean;
}

export async function verifyBackupArchive(
  store: BackupStore,
  keyring: BackupKeyring,
  backupId: string,
  onChunk: (done: number, total: number) => void = () => undefined,
  opts: VerifyOptions = {},
): Promise<VerifyReport> {
  const walk = opts.walk ?? true;
  const problems: string[] = [];
  let manifest: BackupManifest;
  try {
    const chain = await readChain(store, backupId, keyring);
    manifest = chain[chain.length - 1];
  } catch (err) {
    if (err instanceof BackupError) return { backupId, ok: false, problems: [err.message], chunks: 0, batches: 0, rows: 0, bytes: 0 };
    throw err;
  }
  const manifestFile = backupFile(backupId, MANIFEST_FILE);
  let batches;
  try {
    batches = await readBatches(store, manifest);
  } catch (err) {
    if (err instanceof BackupError) return { backupId, ok: false, problems: [err.message], chunks: manifest.chunks.length, batches: 0, rows: 0, bytes: manifest.totals.bytes };
    throw err;
  }
  const expected = new Map(batches.map((b) => [b.batchId, b]));
  if (expected.size !== batches.length) problems.push(`${backupFile(backupId, manifest.batchIndex.file)}: lists a batch more than once`);
  const seen = new Set<string>();
  let alertRows = 0;
  let alertSum = 0n;
  let rows = 0;
  const failed = new Set<number>();
  const byChunk = new Map<number, typeof batches>();
  for (const b of batches) byChunk.set(b.chunk, [...(byChunk.get(b.chunk) ?? []), b]);
  for (const chunk of manifest.chunks) {
    const file = backupFile(backupId, chunk.file);
    if (chunk.encoding === 'native') {
      // version 2: authentic (SHA-256, AES-GCM), then every row walked: the batches and row counts the manifest lists
      // (unless the writer walked them as it sealed the chunk: VerifyOptions.walk)
      try {
        const { compressed } = await readNativeChunk(store, keyring, manifest, chunk.index);
        if (!walk) {
          for (const b of byChunk.get(chunk.index) ?? []) seen.add(b.batchId);
          rows += chunk.rows;
          onChunk(chunk.index + 1, manifest.chunks.length);
          continue;
        }
        let counter;
        try {
          counter = await countNativeGzip(compressed);
        } catch (err) {
          if (err instanceof NativeFormatError) throw new BackupError(`${file}: ${err.message}`);
          throw err;
        }
        const listed = byChunk.get(chunk.index) ?? [];
        checkChunkCounts(file, counter, { ...chunk, batches: listed }, seen);
        for (const b of listed) seen.add(b.batchId);
        rows += counter.rows;
      } catch (err) {
        if (!(err instanceof BackupError)) throw err;
        failed.add(chunk.index);
        problems.push(err.message);
      }
      onChunk(chunk.index + 1, manifest.chunks.length);
      continue;
    }
    try {
      const content = await readChunk(store, keyring, manifest, chunk.index);
      let chunkRows = 0;
      for (const batch of content.batches) {
        const entry = expected.get(batch.batchId);
        chunkRows += batch.rows.length;
        if (!entry || entry.chunk !== chunk.index) throw new BackupError(`${file}: holds batch ${batch.batchId}, which the manifest does not list in this chunk`);
        if (seen.has(batch.batchId)) throw new BackupError(`${file}: holds batch ${batch.batchId} a second time`);
        seen.add(batch.batchId);
        if (batch.table !== entry.table) throw new BackupError(`${file}: batch ${batch.batchId} is a ${batch.table} batch, the manifest says ${entry.table}`);
        const checksum = rowsChecksum(batchTableDef(batch.table), batch.rows);
        if (batch.rows.length !== entry.rows || checksum !== entry.checksum) {
          throw new BackupError(`${file}: batch ${batch.batchId} holds ${batch.rows.length} rows (checksum ${checksum}), the manifest says ${entry.rows} (${entry.checksum})`);
        }
      }
      if (content.alerts.length) {
        alertRows += content.alerts.length;
        chunkRows += content.alerts.length;
        alertSum = (alertSum + BigInt(rowsChecksum(ALERTS_TABLE, content.alerts))) % MOD;
      }
      if (chunkRows !== chunk.rows) throw new BackupError(`${file}: holds ${chunkRows} rows, the manifest says ${chunk.rows}`);
      rows += chunkRows;
    } catch (err) {
      if (!(err instanceof BackupError)) throw err;
      failed.add(chunk.index);
      problems.push(err.message);
    }
    onChunk(chunk.index + 1, manifest.chunks.length);
  }
  const missing = batches.filter((b) => !seen.has(b.batchId) && !failed.has(b.chunk));
  if (missing.length) problems.push(`${manifestFile}: ${missing.length} batch(es) listed are in no chunk (first: ${missing[0].batchId})`);
  if (problems.length === 0 && (alertRows !== manifest.alerts.rows || alertSum.toString() !== manifest.alerts.checksum)) {
    problems.push(`${manifestFile}: the chunks hold ${alertRows} alert rows (checksum ${alertSum}), the manifest says ${manifest.alerts.rows} (${manifest.alerts.checksum})`);
  }
  if (problems.length === 0 && rows !== manifest.totals.rows) problems.push(`${manifestFile}: the chunks hold ${rows} rows, the totals say ${manifest.totals.rows}`);
  return { backupId, ok: problems.length === 0, problems, chunks: manifest.chunks.length, batches: batches.length, rows, bytes: manifest.totals.bytes };
}
