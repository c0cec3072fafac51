import type { BatchTable } from '../domain/batch';
import { isBackupId } from '../domain/backup';
import { BackupCorruptError, BackupKeyError } from './errors';
import type { BackupKeyring } from './key';
import { manifestMac, sameMac } from './seal';

/**
 * A backup's manifest (`<backupId>/manifest.json`), written last: a backup exists once its manifest does.
 * It is plain JSON, so `backup list` works without the key, and carries an HMAC-SHA256 (`mac`, under a key
 * derived from the backup key) over everything else, so an altered or truncated manifest is detected.
 */
export const MANIFEST_FORMAT = 'marketprism-backup';
export const MANIFEST_VERSION = 2;
/** Version 1: chunks of JSON lines (still read). Version 2: market chunks of ClickHouse Native (docs/backups.md). */
export const NATIVE_VERSION = 2;
export const MANIFEST_FILE = 'manifest.json';

/** One batch in the backup: its ledger entry (what the stores' `batches` table holds) and where its rows are. */
export interface ManifestBatch {
  batchId: string;
  table: BatchTable;
  rows: number;
  /** the ledger's checksum of the rows (src/storage/checksum.ts), UInt64 as a decimal string */
  checksum: string;
  /** index into `chunks` */
  chunk: number;
  /** version 2: the sum of the rows' cheap hashes (src/storage/cheap-hash.ts) the source store computed, UInt64 text */
  hash?: string;
}

/**
 * The batch list (`<backupId>/batches.jsonl`), kept out of the manifest so that listing backups reads only
 * small files; the manifest records its SHA-256, so the MAC covers it too. One JSON array per line:
 * [batchId, table, rows, checksum, chunk] (version 1), [batchId, table, rows, checksum, chunk, hash] (version 2).
 */
export const BATCHES_FILE = 'batches.jsonl';

export interface BatchIndex {
  file: typeof BATCHES_FILE;
  sha256: string;
  bytes: number;
  count: number;
}

/** A batch seen in a ledger that no store could provide with rows matching its entry (not in the chain: the next backup tries again). */
export interface DeferredBatch {
  batchId: string;
  table: BatchTable;
  reason: string;
}

/** The alert rows (not batches: alerts are written to every store directly) that changed since the parent. */
export interface ManifestAlerts {
  rows: number;
  checksum: string;
  chunks: number[];
}

export interface ManifestChunk {
  index: number;
  /** relative to the backup: chunks/000001.bin */
  file: string;
  /** SHA-256 (hex) of the file's bytes as stored */
  sha256: string;
  /** the file's size in bytes */
  bytes: number;
  /** the batch table whose batches it holds, or 'alerts' */
  table: BatchTable | 'alerts';
  rows: number;
  batches: number;
  /** version 2: 'native' for a chunk of ClickHouse Native (gzip, format 2 envelope); absent for JSON lines */
  encoding?: 'native';
  /** version 2, native chunks: the columns of the Native stream, in order (what a restore inserts) */
  columns?: string[];
}

export interface BackupManifest {
  format: typeof MANIFEST_FORMAT;
  version: number;
  backupId: string;
  /** the backup this one continues (null for a full backup) */
  parentId: string | null;
  kind: 'full' | 'incremental';
  /** which key encrypted it (src/backup/key.ts) */
  keyId: string;
  /** epoch ms when the backup started reading the stores, and when its manifest was written */
  createdAt: number;
  completedAt: number;
  /** the stores whose ledgers were read (the others were down) */
  stores: string[];
  /** batches read from each store */
  sources: Record<string, number>;
  batchIndex: BatchIndex;
  /** batches this backup could not read; the next backup includes them */
  deferred: DeferredBatch[];
  alerts: ManifestAlerts;
  chunks: ManifestChunk[];
  totals: { batches: number; rows: number; bytes: number };
}

export interface SignedManifest extends BackupManifest {
  mac: string;
}

export function backupFile(backupId: string, file: string): string {
  return `${backupId}/${file}`;
}

function canonical(manifest: BackupManifest): string {
  const { mac: _mac, ...rest } = manifest as SignedManifest;
  return JSON.stringify(rest);
}

/** The manifest file's bytes, signed with the keyring's current key (which must be the manifest's keyId). */
export function serializeManifest(manifest: BackupManifest, keyring: BackupKeyring): Buffer {
  if (manifest.keyId !== keyring.current.keyId) throw new Error(`manifest of ${manifest.backupId} names key ${manifest.keyId}, the current key is ${keyring.current.keyId}`);
  const body = canonical(manifest);
  const mac = manifestMac(keyring.current, manifest.backupId, body);
  return Buffer.from(`${body.slice(0, -1)},"mac":"${mac}"}\n`, 'utf8');
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Shape checks after parsing: a manifest that parses but is not ours is as corrupt as a truncated one. */
function shapeProblem(m: Record<string, unknown>, backupId: string): string | undefined {
  if (m.format !== MANIFEST_FORMAT) return `not a MarketPrism backup manifest (format ${JSON.stringify(m.format)})`;
  if (typeof m.version !== 'number' || m.version > MANIFEST_VERSION) return `manifest version ${String(m.version)} is newer than this marketprism reads (${MANIFEST_VERSION}); use a newer version`;
  if (m.backupId !== backupId) return `names backup ${JSON.stringify(m.backupId)}, but it is stored as ${backupId}`;
  if (m.parentId !== null && (typeof m.parentId !== 'string' || !isBackupId(m.parentId))) return `parent id ${JSON.stringify(m.parentId)} is not a backup id`;
  if (typeof m.keyId !== 'string' || typeof m.mac !== 'string') return 'key id or mac is missing';
  if (!isObject(m.batchIndex) || !Array.isArray(m.deferred) || !Array.isArray(m.chunks) || !isObject(m.alerts) || !isObject(m.totals)) return 'batchIndex, deferred, chunks, alerts or totals are missing';
  return undefined;
}

/**
 * Parses and checks a manifest file. Without a keyring only its shape is checked (listing); with one, the key
 * id must be one the keyring holds and the MAC must match.
 */
export function parseManifest(data: Buffer, backupId: string, keyring?: BackupKeyring): SignedManifest {
  const file = backupFile(backupId, MANIFEST_FILE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch (err) {
    throw new BackupCorruptError(file, `truncated or not JSON (${data.length} bytes; ${(err as Error).message})`);
  }
  if (!isObject(parsed)) throw new BackupCorruptError(file, 'not a JSON object');
  const problem = shapeProblem(parsed, backupId);
  if (problem) throw new BackupCorruptError(file, problem);
  const manifest = parsed as unknown as SignedManifest;
  if (keyring) {
    const key = keyring.byId.get(manifest.keyId);
    if (!key) {
      throw new BackupKeyError(
        `${file}: written with key id ${manifest.keyId}, but the key in use has id ${keyring.current.keyId}; set MARKETPRISM_BACKUP_KEY (or _FILE) to that key, or add it to MARKETPRISM_BACKUP_PREVIOUS_KEYS`,
      );
    }
    if (!sameMac(manifestMac(key, backupId, canonical(manifest)), manifest.mac)) {
      throw new BackupCorruptError(file, `authentication failed under key id ${key.keyId}: the manifest was altered`);
    }
  }
  return manifest;
}

export function serializeBatches(batches: readonly ManifestBatch[]): Buffer {
  return Buffer.from(batches.map((b) => `${JSON.stringify(b.hash === undefined ? [b.batchId, b.table, b.rows, b.checksum, b.chunk] : [b.batchId, b.table, b.rows, b.checksum, b.chunk, b.hash])}\n`).join(''), 'utf8');
}

/** Parses a batch list; `file` names it in errors. */
export function parseBatches(data: Buffer, file: string): ManifestBatch[] {
  const lines = data.toString('utf8').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.map((line, i) => {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new BackupCorruptError(file, `line ${i + 1} is not JSON`);
    }
    if (
      !Array.isArray(v) ||
      (v.length !== 5 && v.length !== 6) ||
      typeof v[0] !== 'string' ||
      typeof v[1] !== 'string' ||
      typeof v[2] !== 'number' ||
      typeof v[3] !== 'string' ||
      typeof v[4] !== 'number' ||
      (v.length === 6 && typeof v[5] !== 'string')
    ) {
      throw new BackupCorruptError(file, `line ${i + 1} is not [batchId, table, rows, checksum, chunk(, hash)]`);
    }
    return { batchId: v[0], table: v[1] as BatchTable, rows: v[2], checksum: v[3], chunk: v[4], ...(v.length === 6 && { hash: v[5] as string }) };
  });
}
