import { isBatchTable, type BatchTable } from '../domain/batch';
import type { AlertRow } from '../storage/records';
import { BackupCorruptError, BackupError, BackupMissingError } from './errors';
import type { BackupKeyring } from './key';
import { backupFile, MANIFEST_FILE, parseBatches, parseManifest, type BackupManifest, type ManifestBatch, type SignedManifest } from './manifest';
import { ChunkOpenError, openChunk, openCompressed, sha256Hex } from './seal';
import type { BackupKey } from './key';
import type { BackupStore } from './store';

/** Reading backups back: manifests (checked), chains of them, and chunks (checked, decrypted, parsed). */

export interface ChunkBatch {
  batchId: string;
  table: BatchTable;
  rows: object[];
}

export interface ChunkContent {
  batches: ChunkBatch[];
  alerts: AlertRow[];
}

/** A backup's manifest, its key id and MAC checked (with a keyring) or only its shape (without). */
export async function readManifest(store: BackupStore, backupId: string, keyring?: BackupKeyring): Promise<SignedManifest> {
  const name = backupFile(backupId, MANIFEST_FILE);
  const data = await store.get(name);
  if (data === undefined) throw new BackupMissingError(name, `missing from ${store.description}; \`marketprism backup list\` shows the backups there`);
  return parseManifest(data, backupId, keyring);
}

/**
 * The chain a backup continues, oldest (the full backup) first, ending with the backup itself. Every manifest
 * is checked; a missing or unreadable parent fails with the parent's file named.
 */
export async function readChain(store: BackupStore, backupId: string, keyring?: BackupKeyring): Promise<SignedManifest[]> {
  const chain: SignedManifest[] = [];
  const seen = new Set<string>();
  let id: string | null = backupId;
  while (id !== null) {
    if (seen.has(id)) throw new BackupCorruptError(backupFile(id, MANIFEST_FILE), `the chain of ${backupId} loops back to ${id}`);
    seen.add(id);
    let manifest: SignedManifest;
    try {
      manifest = await readManifest(store, id, keyring);
    } catch (err) {
      if (err instanceof BackupMissingError && id !== backupId) {
        const child = chain[0]?.backupId ?? backupId;
        throw new BackupMissingError(err.file, `missing: backup ${child} needs ${id} as its parent, and ${store.description} does not hold it`);
      }
      throw err;
    }
    chain.unshift(manifest);
    id = manifest.parentId;
  }
  return chain;
}

/** A backup's batch list: present, of the size and SHA-256 its manifest records, and well formed. */
export async function readBatches(store: BackupStore, manifest: BackupManifest): Promise<ManifestBatch[]> {
  const name = backupFile(manifest.backupId, manifest.batchIndex.file);
  const data = await store.get(name);
  if (data === undefined) throw new BackupMissingError(name, `missing: the manifest lists it (${manifest.batchIndex.bytes} bytes) and ${store.description} does not hold it`);
  const sha = sha256Hex(data);
  if (data.length !== manifest.batchIndex.bytes || sha !== manifest.batchIndex.sha256) {
    throw new BackupCorruptError(name, `${data.length} bytes with SHA-256 ${sha.slice(0, 16)}…, the manifest says ${manifest.batchIndex.bytes} bytes with ${manifest.batchIndex.sha256.slice(0, 16)}…: the file is damaged`);
  }
  const batches = parseBatches(data, name);
  if (batches.length !== manifest.batchIndex.count) throw new BackupCorruptError(name, `lists ${batches.length} batches, the manifest says ${manifest.batchIndex.count}`);
  return batches;
}

function parseLines(text: string, file: string): ChunkContent {
  const out: ChunkContent = { batches: [], alerts: [] };
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const [i, line] of lines.entries()) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new BackupCorruptError(file, `line ${i + 1} of the decrypted chunk is not JSON`);
    }
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.alerts)) out.alerts.push(...(v.alerts as AlertRow[]));
    else if (typeof v.batchId === 'string' && typeof v.table === 'string' && isBatchTable(v.table) && Array.isArray(v.rows)) {
      out.batches.push({ batchId: v.batchId, table: v.table, rows: v.rows as object[] });
    } else throw new BackupCorruptError(file, `line ${i + 1} of the decrypted chunk is neither a batch nor alerts`);
  }
  return out;
}

/** A chunk file: present, of the size and SHA-256 the manifest records; with the key that wrote it. */
async function chunkFile(store: BackupStore, keyring: BackupKeyring, manifest: BackupManifest, index: number): Promise<{ name: string; data: Buffer; key: BackupKey }> {
  const chunk = manifest.chunks[index];
  if (!chunk || chunk.index !== index) throw new BackupCorruptError(backupFile(manifest.backupId, MANIFEST_FILE), `lists no chunk ${index}`);
  const name = backupFile(manifest.backupId, chunk.file);
  const data = await store.get(name);
  if (data === undefined) throw new BackupMissingError(name, `missing: the manifest lists it (${chunk.bytes} bytes) and ${store.description} does not hold it`);
  if (data.length !== chunk.bytes) throw new BackupCorruptError(name, `${data.length} bytes, the manifest says ${chunk.bytes}: truncated or replaced`);
  const sha = sha256Hex(data);
  if (sha !== chunk.sha256) throw new BackupCorruptError(name, `SHA-256 ${sha.slice(0, 16)}… does not match the manifest's ${chunk.sha256.slice(0, 16)}…: the file is damaged`);
  const key = keyring.byId.get(manifest.keyId);
  if (!key) throw new BackupError(`${name}: written with key id ${manifest.keyId}, which this process does not hold`);
  return { name, data, key };
}

/** One chunk of a backup: present, the size and SHA-256 the manifest records, authentic, and parsed. */
export async function readChunk(store: BackupStore, keyring: BackupKeyring, manifest: BackupManifest, index: number): Promise<ChunkContent> {
  const { name, data, key } = await chunkFile(store, keyring, manifest, index);
  if (manifest.chunks[index].encoding === 'native') throw new BackupError(`${name}: a Native chunk, read with readNativeChunk`);
  let plain: Buffer;
  try {
    plain = await openChunk(key, manifest.backupId, index, data);
  } catch (err) {
    if (err instanceof ChunkOpenError) throw new BackupCorruptError(name, err.message);
    throw err;
  }
  return parseLines(plain.toString('utf8'), name);
}

/**
 * A Native chunk (version 2): present, of the recorded size and SHA-256, and authentic (the whole AES-GCM tag is
 * checked before anything is returned); returns the gzip of its Native stream, still compressed.
 */
export async function readNativeChunk(store: BackupStore, keyring: BackupKeyring, manifest: BackupManifest, index: number): Promise<{ name: string; compressed: Buffer }> {
  const { name, data, key } = await chunkFile(store, keyring, manifest, index);
  if (manifest.chunks[index].encoding !== 'native') throw new BackupError(`${name}: not a Native chunk`);
  try {
    return { name, compressed: openCompressed(key, manifest.backupId, index, data) };
  } catch (err) {
    if (err instanceof ChunkOpenError) throw new BackupCorruptError(name, err.message);
    throw err;
  }
}
