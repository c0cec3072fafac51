import type { ClickHouseClient } from '@clickhouse/client';
import type { BatchTable } from '../domain/batch';
import { isRestoreTable, type RestoreTable } from '../domain/backup-tables';
import { batchTableDef } from '../storage/batch-tables';
import { batchSummaries, ledgerEntriesOf, recordBatches } from '../storage/batch-stream';
import { rowsCheapHash } from '../storage/cheap-hash';
import { UNRECORDED_HASH } from '../storage/records';
import { insertRows } from '../storage/table-io';
import { ALERTS_TABLE, type BatchStamp } from '../storage/tables';
import { randomBytes } from 'node:crypto';
import { pipeline, Readable, Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { batchIdLiteral, qualified } from '../storage/identifiers';
import { readBatches, readChain, readChunk, readManifest, readNativeChunk } from './archive-reader';
import { GUNZIP_CHUNK_BYTES, NativeBatchCounter, NativeFormatError } from './native';
import { insertNative, proveBatches } from './native-io';
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
  if (manifest.chunks[index]?.encoding === 'native') return restoreNativeChunk(store, keyring, manifest, list, index, target, tables);
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
        return { batchId: e.batchId, tableName: e.table, rows: e.rows, checksum: e.checksum, hash: rowsCheapHash(batchTableDef(e.table), b.rows) };
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

/**
 * Row count and ledger checksum of each batch in the target. Batches of a version 2 backup are first compared
 * by the cheap check (count and cheap hash, no FINAL, one query); only those it does not confirm (another
 * ClickHouse release hashing differently, unmerged duplicates, damage) get the ledger checksum with FINAL.
 */
async function restoredSummaries(target: RestoreTarget, table: BatchTable, group: readonly ManifestBatch[]): Promise<Map<string, { rows: number; checksum: string }>> {
  const out = new Map<string, { rows: number; checksum: string }>();
  let rest: readonly ManifestBatch[] = group;
  const hashed = group.filter((b) => b.hash !== undefined);
  if (hashed.length) {
    const cheap = await proveBatches(target.client, target.database, batchTableDef(table), hashed.map((b) => b.batchId), { ledger: false });
    for (const b of hashed) {
      const p = cheap.get(b.batchId) ?? { rows: 0, hash: '0' };
      if (p.rows === b.rows && p.hash === b.hash) out.set(b.batchId, { rows: b.rows, checksum: b.checksum });
    }
    rest = group.filter((b) => !out.has(b.batchId));
  }
  if (rest.length) for (const [id, s] of await batchSummaries(target.client, target.database, table, rest.map((b) => b.batchId))) out.set(id, s);
  return out;
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
      const summaries = await restoredSummaries(target, table, group);
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

/** The batches of each chunk of a backup, from its (cached) batch list. */
const chunkBatchCache = new WeakMap<Map<string, ManifestBatch>, Map<number, ManifestBatch[]>>();

function batchesOfChunk(list: Map<string, ManifestBatch>, index: number): ManifestBatch[] {
  let byChunk = chunkBatchCache.get(list);
  if (!byChunk) {
    byChunk = new Map();
    for (const b of list.values()) byChunk.set(b.chunk, [...(byChunk.get(b.chunk) ?? []), b]);
    chunkBatchCache.set(list, byChunk);
  }
  return byChunk.get(index) ?? [];
}

/** The chunk's Native stream (the insert's body), decompressed as it is read, every batch's rows counted on the way. */
function decompressCounted(compressed: Buffer, counter: NativeBatchCounter): Readable {
  const counting = new Transform({
    transform(piece: Buffer, _encoding, done) {
      try {
        counter.push(piece);
        done(null, piece);
      } catch (err) {
        counter.failure ??= err as Error;
        done(err as Error);
      }
    },
  });
  return pipeline(Readable.from([compressed]), createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES }), counting, () => undefined);
}

/**
 * Version 2: a Native chunk goes into the target as it is (decrypted, authenticated, decompressed as it streams
 * into `INSERT … FORMAT Native`), its batches' rows counted on the way and compared with the batch list before
 * any ledger entry is written. Batches the target's ledger holds are skipped: when some of the chunk's are held,
 * the chunk goes through a scratch Memory table and only the missing batches are copied from it.
 */
async function restoreNativeChunk(
  store: BackupStore,
  keyring: BackupKeyring,
  manifest: SignedManifest,
  list: Map<string, ManifestBatch>,
  index: number,
  target: RestoreTarget,
  tables?: readonly RestoreTable[],
): Promise<ChunkRestoreResult> {
  const chunk = manifest.chunks[index];
  const file = backupFile(manifest.backupId, chunk.file);
  if (chunk.table === 'alerts' || !wants(tables, chunk.table)) return { restored: 0, skipped: 0, rows: 0, alerts: 0 };
  const table = chunk.table;
  const entries = batchesOfChunk(list, index);
  const { compressed } = await readNativeChunk(store, keyring, manifest, index);
  const held = new Set((await ledgerEntriesOf(target.client, target.database, entries.map((b) => b.batchId))).map((e) => e.batchId));
  const missing = entries.filter((b) => !held.has(b.batchId));
  if (missing.length === 0) return { restored: 0, skipped: entries.length, rows: 0, alerts: 0 };
  const columns = chunk.columns ?? [];
  const def = batchTableDef(table);
  const counter = new NativeBatchCounter();
  if (chunk.rows > 0) {
    try {
      if (held.size === 0) await insertNative(target.client, target.database, def.name, columns, decompressCounted(compressed, counter));
      else {
        const scratch = `mp_restore_chunk_${randomBytes(6).toString('hex')}`;
        await target.client.command({ query: `CREATE TABLE ${qualified(target.database, scratch)} AS ${qualified(target.database, def.name)} ENGINE = Memory` });
        try {
          await insertNative(target.client, target.database, scratch, columns, decompressCounted(compressed, counter));
          const ids = missing.map((b) => batchIdLiteral(b.batchId)).join(', ');
          await target.client.command({
            query: `INSERT INTO ${qualified(target.database, def.name)} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM ${qualified(target.database, scratch)} WHERE batch_id IN (${ids})`,
            clickhouse_settings: { max_query_size: String(Math.max(262_144, ids.length + 4096)) },
          });
        } finally {
          await target.client.command({ query: `DROP TABLE IF EXISTS ${qualified(target.database, scratch)}` });
        }
      }
      counter.end();
    } catch (err) {
      const cause = counter.failure ?? err;
      if (cause instanceof NativeFormatError) throw new BackupCorruptError(file, cause.message);
      throw cause;
    }
  }
  // the chunk is authentic (SHA-256, AES-GCM); its rows must be the list's, batch for batch, before the ledger
  // says the batches are there. Contents are compared after the restore (verifyRestore: cheap hash, ledger checksum).
  const listed = new Set(entries.map((b) => b.batchId));
  for (const id of counter.rowsByBatch.keys()) if (!listed.has(id)) throw new BackupCorruptError(file, `holds rows of batch ${id}, which the batch list does not place in this chunk`);
  for (const b of entries) {
    const n = counter.rowsByBatch.get(b.batchId) ?? 0;
    if (n !== b.rows || b.table !== table) throw new BackupCorruptError(file, `batch ${b.batchId} (${table}, ${n} rows) is not in the batch list as such (${b.table}, ${b.rows} rows)`);
  }
  await recordBatches(
    target.client,
    target.database,
    missing.map((e) => ({ batchId: e.batchId, tableName: e.table, rows: e.rows, checksum: e.checksum, hash: e.hash ?? UNRECORDED_HASH })),
  );
  return { restored: missing.length, skipped: entries.length - missing.length, rows: missing.reduce((n, b) => n + b.rows, 0), alerts: 0 };
}
