import type { ClickHouseClient } from '@clickhouse/client';
import type { BatchTable } from '../domain/batch';
import { isRestoreTable, type RestoreTable } from '../domain/backup-tables';
import { batchTableDef } from '../storage/batch-tables';
import { batchSummaries, ledgerEntriesOf, recordBatches } from '../storage/batch-stream';
import { insertRows } from '../storage/table-io';
import { ALERTS_TABLE, type BatchStamp } from '../storage/tables';
import { readBatches, readChain, readChunk, readManifest } from './archive-reader';
import { BackupCorruptError, BackupMissingError } from './errors';
import type { BackupKeyring } from './key';
import { backupFile, type ManifestBatch, type SignedManifest } from './manifest';
import type { BackupStore } from './store';

/**
 * Restoring a backup: the chain from its full backup up to it is replayed into a store, chunk by chunk. Through
 * the ledger it is idempotent: a batch the target's ledger already holds is skipped, and the others go in as
 * the write path writes them (rows first, then ledger entries), so a restore into a store that holds some of
 * the data, or a restore repeated after a crash, ends in the same state. It ends by checking every batch of
 * the chain against the target (ledger entry and the rows' own count and checksum).
 */
export interface RestoreTarget {
  id: string;
  client: ClickHouseClient;
  database: string;
}

export { isRestoreTable, type RestoreTable };

export interface RestoreStep {
  backupId: string;
  /** chunk indexes to replay, in order */
  chunks: number[];
}

export interface RestorePlan {
  backupId: string;
  steps: RestoreStep[];
  chunks: number;
  batches: number;
  rows: number;
  /** batches the last backup could not read (in no backup of the chain) */
  deferred: number;
}

const wants = (tables: readonly RestoreTable[] | undefined, table: RestoreTable): boolean => !tables || tables.length === 0 || tables.includes(table);

/**
 * Checks, before anything is written, that the whole chain can be read: every manifest (key, MAC), every batch
 * list, and every chunk file present with its recorded size. Returns the chunks to replay.
 */
export async function planRestore(store: BackupStore, keyring: BackupKeyring, backupId: string, tables?: readonly RestoreTable[]): Promise<RestorePlan> {
  const chain = await readChain(store, backupId, keyring);
  const steps: RestoreStep[] = [];
  let batches = 0;
  let rows = 0;
  for (const m of chain) {
    const list = await readBatches(store, m);
    const chunks = m.chunks.filter((c) => wants(tables, c.table));
    const present = new Set(await store.list(m.backupId));
    for (const c of chunks) {
      const name = backupFile(m.backupId, c.file);
      if (!present.has(name)) throw new BackupMissingError(name, `missing: the manifest lists it (${c.bytes} bytes) and ${store.description} does not hold it`);
    }
    batches += list.filter((b) => wants(tables, b.table)).length;
    rows += chunks.reduce((n, c) => n + c.rows, 0);
    steps.push({ backupId: m.backupId, chunks: chunks.map((c) => c.index) });
  }
  return { backupId, steps, chunks: steps.reduce((n, s) => n + s.chunks.length, 0), batches, rows, deferred: chain.at(-1)?.deferred.length ?? 0 };
}

export interface ChunkRestoreResult {
  /** batches written by this call */
  restored: number;
  /** batches the target's ledger already held */
  skipped: number;
  rows: number;
  alerts: number;
}

/** Batch lists are read once per backup per process, not once per chunk. */
const batchListCache = new Map<string, Map<string, ManifestBatch>>();

async function batchList(store: BackupStore, manifest: SignedManifest): Promise<Map<string, ManifestBatch>> {
  const key = `${store.description}\u0000${manifest.backupId}`;
  let list = batchListCache.get(key);
  if (!list) {
    list = new Map((await readBatches(store, manifest)).map((b) => [b.batchId, b]));
    if (batchListCache.size >= 8) batchListCache.delete(batchListCache.keys().next().value as string);
    batchListCache.set(key, list);
  }
  return list;
}

/**
 * Replays one chunk into the target: its batches the target's ledger lacks (rows checked against the manifest
 * first), in one insert per chunk, then their ledger entries; alert rows as they are (the alerts table keeps the
 * latest row per key).
 */
export async function restoreChunk(
  store: BackupStore,
  keyring: BackupKeyring,
  backupId: string,
  index: number,
  target: RestoreTarget,
  tables?: readonly RestoreTable[],
): Promise<ChunkRestoreResult> {
  const manifest = await readManifest(store, backupId, keyring);
  const list = await batchList(store, manifest);
  const content = await readChunk(store, keyring, manifest, index);
  const file = backupFile(backupId, manifest.chunks[index].file);
  const batches = content.batches.filter((b) => wants(tables, b.table));
  // the chunk is authentic (SHA-256, AES-GCM); its batches must be the list's, row for row. Checksums are
  // compared once everything is in (verifyRestore, computed by the store over the restored rows).
  for (const b of batches) {
    const entry = list.get(b.batchId);
    if (!entry || entry.rows !== b.rows.length || entry.table !== b.table || entry.chunk !== index) {
      throw new BackupCorruptError(file, `batch ${b.batchId} (${b.table}, ${b.rows.length} rows) is not in the batch list as such (${entry ? `${entry.table}, ${entry.rows} rows, chunk ${entry.chunk}` : 'not listed'})`);
    }
  }
  const held = new Set((await ledgerEntriesOf(target.client, target.database, batches.map((b) => b.batchId))).map((e) => e.batchId));
  const missing = batches.filter((b) => !held.has(b.batchId));
  let rows = 0;
  const byTable = new Map<BatchTable, typeof missing>();
  for (const b of missing) byTable.set(b.table, [...(byTable.get(b.table) ?? []), b]);
  const ingestTime = Date.now();
  for (const [table, group] of byTable) {
    const stamped = group.flatMap((b) => b.rows.map((row) => ({ ...row, batchId: b.batchId, ingestTime }) as object & BatchStamp));
    await insertRows(target.client, target.database, batchTableDef(table), stamped);
    rows += stamped.length;
  }
  if (missing.length) {
    await recordBatches(
      target.client,
      target.database,
      missing.map((b) => {
        const e = list.get(b.batchId) as ManifestBatch;
        return { batchId: e.batchId, tableName: e.table, rows: e.rows, checksum: e.checksum };
      }),
    );
  }
  let alerts = 0;
  if (wants(tables, 'alerts') && content.alerts.length) {
    await insertRows(target.client, target.database, ALERTS_TABLE, content.alerts);
    alerts = content.alerts.length;
  }
  return { restored: missing.length, skipped: batches.length - missing.length, rows, alerts };
}

export interface RestoreCheck {
  ok: boolean;
  batches: number;
  /** one line each; at most 20 */
  problems: string[];
}

/** Every batch of the chain (of the chosen tables) must be in the target's ledger and hold its rows. */
export async function verifyRestore(store: BackupStore, keyring: BackupKeyring, backupId: string, target: RestoreTarget, tables?: readonly RestoreTable[]): Promise<RestoreCheck> {
  const problems: string[] = [];
  let batches = 0;
  for (const m of await readChain(store, backupId, keyring)) {
    const list = (await readBatches(store, m)).filter((b) => wants(tables, b.table));
    batches += list.length;
    const ledger = new Map((await ledgerEntriesOf(target.client, target.database, list.map((b) => b.batchId))).map((e) => [e.batchId, e]));
    const byTable = new Map<BatchTable, ManifestBatch[]>();
    for (const b of list) byTable.set(b.table, [...(byTable.get(b.table) ?? []), b]);
    for (const [table, group] of byTable) {
      const summaries = await batchSummaries(target.client, target.database, table, group.map((b) => b.batchId));
      for (const b of group) {
        if (problems.length >= 20) break;
        const e = ledger.get(b.batchId);
        const s = summaries.get(b.batchId) ?? { rows: 0, checksum: '0' };
        if (!e) problems.push(`${target.id}: batch ${b.batchId} (${table}, backup ${m.backupId}) is not in its ledger`);
        else if (e.rows !== b.rows || e.checksum !== b.checksum) problems.push(`${target.id}: ledger entry of ${b.batchId} says ${e.rows} rows (${e.checksum}), backup ${m.backupId} says ${b.rows} (${b.checksum})`);
        else if (s.rows !== b.rows || s.checksum !== b.checksum) problems.push(`${target.id}: batch ${b.batchId} (${table}) holds ${s.rows} rows (checksum ${s.checksum}), backup ${m.backupId} says ${b.rows} (${b.checksum})`);
      }
    }
  }
  return { ok: problems.length === 0, batches, problems };
}
