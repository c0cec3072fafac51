import type { BatchTable } from '../domain/batch';
import { rowsChecksum } from '../storage/checksum';
import type { AlertRow } from '../storage/records';
import { ALERTS_TABLE } from '../storage/tables';
import type { BackupKeyring } from './key';
import { BATCHES_FILE, backupFile, MANIFEST_FILE, MANIFEST_FORMAT, NATIVE_VERSION, serializeBatches, serializeManifest, type BackupManifest, type DeferredBatch, type ManifestBatch, type ManifestChunk } from './manifest';
import { checkChunkCounts } from './chunk-contents';
import { BackupError } from './errors';
import { NativeFormatError, NativeGzipCounter } from './native';
import { sealChunk, sealCompressedStream, sha256Hex } from './seal';
import type { BackupStore } from './store';

/**
 * Writes one backup. Format version 2 (what exportBackup writes): each market or bookkeeping chunk is the gzip of
 * a ClickHouse Native stream of whole batches of one table, sealed (AES-256-GCM, SHA-256) as its bytes arrive
 * from the store, decompressed and walked meanwhile to check it holds exactly its batches, and stored whole
 * (addNativeChunk); memory holds one sealed chunk. Alert rows, and every chunk of
 * version 1 (addBatch, still written by the format tests and read everywhere), are JSON lines, one per batch:
 * {"batchId","table","rows":[...]} (rows without their stamps), or {"alerts":[...]}; such a chunk is sealed (gzip,
 * AES-256-GCM) and stored as soon as its plaintext reaches `chunkBytes`, one chunk stored while the next fills.
 * The manifest is written last.
 */
export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;
const ALERTS_PER_LINE = 1_000;
const MOD = 2n ** 64n;

export interface LedgerEntry {
  batchId: string;
  table: BatchTable;
  rows: number;
  checksum: string;
}

/** A batch of a native chunk: its ledger entry and the cheap hash the store computed over its rows. */
export interface NativeEntry extends LedgerEntry {
  hash: string;
}

interface OpenChunk {
  table: BatchTable | 'alerts';
  lines: string[];
  bytes: number;
  rows: number;
  batches: number;
}

export function chunkFile(index: number): string {
  return `chunks/${String(index).padStart(6, '0')}.bin`;
}

export interface FinishInput {
  parentId: string | null;
  createdAt: number;
  stores: string[];
  sources: Record<string, number>;
  deferred?: DeferredBatch[];
}

export class ArchiveWriter {
  private readonly chunks: ManifestChunk[] = [];
  private readonly batches: ManifestBatch[] = [];
  private readonly alertChunks: number[] = [];
  /** ids of the native chunks' batches so far: a chunk must not hold one again */
  private readonly written = new Set<string>();
  private alertRows = 0;
  private alertSum = 0n;
  private open: OpenChunk | undefined;
  /** the chunk being sealed and stored while the next one fills */
  private storing: Promise<void> = Promise.resolve();
  /** version 1 unless a native chunk is added (exportBackup always adds its market batches as native chunks) */
  private version = 1;

  constructor(
    private readonly store: BackupStore,
    private readonly keyring: BackupKeyring,
    readonly backupId: string,
    private readonly chunkBytes = DEFAULT_CHUNK_BYTES,
  ) {}

  /** Makes the manifest version 2 even when no native chunk is added (a backup with no market rows). */
  nativeFormat(): void {
    this.version = NATIVE_VERSION;
  }

  /**
   * Adds a chunk of ClickHouse Native (format version 2): `compressed` is the gzip of the Native stream holding
   * exactly the rows of `entries` (the caller proved them against the ledger), sealed as it arrives. Nothing is
   * recorded unless the whole stream is read and stored; a failure leaves the writer as it was.
   */
  async addNativeChunk(table: BatchTable, columns: readonly string[], entries: readonly NativeEntry[], compressed: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<void> {
    await this.flush();
    await this.storing;
    this.version = NATIVE_VERSION;
    const index = this.chunks.length;
    const file = chunkFile(index);
    // every piece is also decompressed and walked as it is sealed: the chunk must hold exactly these batches
    const counting = new NativeGzipCounter();
    const walked = async function* (): AsyncGenerator<Buffer> {
      for await (const piece of compressed) {
        await counting.feed(piece);
        yield piece;
      }
    };
    let sealed: Awaited<ReturnType<typeof sealCompressedStream>> | undefined;
    let counter;
    try {
      sealed = await sealCompressedStream(this.keyring.current, this.backupId, index, walked());
      counter = await counting.done();
    } catch (err) {
      if (!sealed) await counting.done().catch(() => undefined); // the stream broke off: release the decompressor
      if (err instanceof NativeFormatError) throw new BackupError(`${file}: ${err.message}`);
      throw err;
    }
    const rows = entries.reduce((n, e) => n + e.rows, 0);
    checkChunkCounts(file, counter, { table, rows, columns, batches: entries }, this.written);
    await this.store.put(backupFile(this.backupId, file), sealed.file);
    this.chunks.push({ index, file, sha256: sealed.sha256, bytes: sealed.file.length, table, rows, batches: entries.length, encoding: 'native', columns: [...columns] });
    for (const e of entries) {
      this.batches.push({ batchId: e.batchId, table: e.table, rows: e.rows, checksum: e.checksum, chunk: index, hash: e.hash });
      this.written.add(e.batchId);
    }
  }

  get batchCount(): number {
    return this.batches.length;
  }

  get rowCount(): number {
    return this.batches.reduce((n, b) => n + b.rows, 0) + this.alertRows;
  }

  /** Adds a batch whose rows the caller has checked against its ledger entry (count and checksum). */
  async addBatch(entry: LedgerEntry, rows: readonly object[]): Promise<void> {
    const line = `${JSON.stringify({ batchId: entry.batchId, table: entry.table, rows })}\n`;
    await this.room(entry.table, line.length);
    const open = this.open as OpenChunk;
    open.lines.push(line);
    open.bytes += line.length;
    open.rows += rows.length;
    open.batches += 1;
    this.batches.push({ batchId: entry.batchId, table: entry.table, rows: entry.rows, checksum: entry.checksum, chunk: this.chunks.length });
  }

  /** Adds alert rows (any number; they are split into lines). */
  async addAlerts(rows: readonly AlertRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += ALERTS_PER_LINE) {
      const part = rows.slice(i, i + ALERTS_PER_LINE);
      const line = `${JSON.stringify({ alerts: part })}\n`;
      await this.room('alerts', line.length);
      const open = this.open as OpenChunk;
      open.lines.push(line);
      open.bytes += line.length;
      open.rows += part.length;
      this.alertRows += part.length;
      this.alertSum = (this.alertSum + BigInt(rowsChecksum(ALERTS_TABLE, part))) % MOD;
      if (!this.alertChunks.includes(this.chunks.length)) this.alertChunks.push(this.chunks.length);
    }
  }

  /** Makes sure the open chunk is of `table` and has room for `bytes` more (a single larger line gets a chunk of its own). */
  private async room(table: BatchTable | 'alerts', bytes: number): Promise<void> {
    if (this.open && (this.open.table !== table || (this.open.bytes > 0 && this.open.bytes + bytes > this.chunkBytes))) await this.flush();
    this.open ??= { table, lines: [], bytes: 0, rows: 0, batches: 0 };
  }

  private async flush(): Promise<void> {
    const open = this.open;
    if (!open || open.lines.length === 0) return;
    this.open = undefined;
    const index = this.chunks.length;
    const entry: ManifestChunk = { index, file: chunkFile(index), sha256: '', bytes: 0, table: open.table, rows: open.rows, batches: open.batches };
    this.chunks.push(entry);
    const previous = this.storing;
    const plaintext = Buffer.from(open.lines.join(''), 'utf8');
    open.lines = [];
    // one chunk stored while the next fills: wait for the previous one before starting this one
    await previous;
    this.storing = (async () => {
      const sealed = await sealChunk(this.keyring.current, this.backupId, index, plaintext);
      entry.sha256 = sha256Hex(sealed);
      entry.bytes = sealed.length;
      await this.store.put(backupFile(this.backupId, entry.file), sealed);
    })();
    // surface a failure at the next flush or at finish, never as an unhandled rejection
    this.storing.catch(() => undefined);
  }

  /** Stores the last chunk, the batch list and then the manifest; returns the manifest. */
  async finish(input: FinishInput): Promise<BackupManifest> {
    await this.flush();
    await this.storing;
    const list = serializeBatches(this.batches);
    await this.store.put(backupFile(this.backupId, BATCHES_FILE), list);
    const bytes = this.chunks.reduce((n, c) => n + c.bytes, 0);
    const manifest: BackupManifest = {
      format: MANIFEST_FORMAT,
      version: this.version,
      backupId: this.backupId,
      parentId: input.parentId,
      kind: input.parentId === null ? 'full' : 'incremental',
      keyId: this.keyring.current.keyId,
      createdAt: input.createdAt,
      completedAt: Date.now(),
      stores: input.stores,
      sources: input.sources,
      batchIndex: { file: BATCHES_FILE, sha256: sha256Hex(list), bytes: list.length, count: this.batches.length },
      deferred: input.deferred ?? [],
      alerts: { rows: this.alertRows, checksum: this.alertSum.toString(), chunks: this.alertChunks },
      chunks: this.chunks,
      totals: { batches: this.batches.length, rows: this.rowCount, bytes },
    };
    await this.store.put(backupFile(this.backupId, MANIFEST_FILE), serializeManifest(manifest, this.keyring));
    return manifest;
  }
}
