import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startChdb } from '../support/chdb';
import { eventually } from '../support/wait';
import { gunzipSync } from 'node:zlib';
import { readBatches, readManifest, readNativeChunk } from '../../src/backup/archive-reader';
import { exportBackup } from '../../src/backup/export';
import { KEY_ENV, loadKeyring } from '../../src/backup/key';
import { LocalBackupStore } from '../../src/backup/local-store';
import { countNativeGzip, nativeColumns, NativeBatchCounter, NativeFormatError } from '../../src/backup/native';
import { exportNative, proveBatches } from '../../src/backup/native-io';
import { ArchiveWriter } from '../../src/backup/archive-writer';
import { BackupError } from '../../src/backup/errors';
import { planRestore, restoreChunk, verifyRestore } from '../../src/backup/restore';
import { verifyBackupArchive } from '../../src/backup/verify';
import type { StoreConfig } from '../../src/config/schema';
import { backupIdAt } from '../../src/domain/backup';
import { BATCH_TABLES, type BatchTable } from '../../src/domain/batch';
import { DATA_TYPES } from '../../src/domain/data-types';
import { ledgerEntriesOf, recordBatches } from '../../src/storage/batch-stream';
import { ledgerDigest } from '../../src/storage/consistency';
import { batchTableDef } from '../../src/storage/batch-tables';
import { rowsCheapHash } from '../../src/storage/cheap-hash';
import { rowsChecksum } from '../../src/storage/checksum';
import { UNRECORDED_HASH } from '../../src/storage/records';
import { closeStoreClients, storeClient } from '../../src/storage/client';
import { migrateStore } from '../../src/storage/migrate';
import { insertRows } from '../../src/storage/table-io';
import { sampleRows } from '../storage/sample-rows';
import { backupTestConfig } from './fixture';

/**
 * Format version 2 (Native chunks) against real stores: the cheap hash the restore check compares is the same on
 * ClickHouse 18.16 and a current release (chdb-core, as test/storage/current-release.test.ts), the ledger
 * checksum the backup proves is the one TS computes, a backup is Native chunks that verify and restore batch for
 * batch, skipping what the target's ledger holds, and the Native walker counts the same whatever the pieces.
 */


const bookkeeping: Record<Exclude<BatchTable, (typeof DATA_TYPES)[number]>, (i: number) => object> = {
  quarantine: (i) => ({ exchange: 'okx', dataType: 'trades', symbol: 'BTC/USDT', reason: `bad ✓ ${i}`, raw: `{"i":${i}}`, receivedAt: 1_700_000_000_000 + i }),
  collection_gaps: (i) => ({ exchange: 'okx', dataType: 'trades', symbol: 'BTC/USDT', fromTime: i, toTime: i + 10, reason: 'test', detectedAt: 1_700_000_000_000 + i }),
};

function rowsOf(table: BatchTable, n: number, offset: number): object[] {
  if ((DATA_TYPES as readonly string[]).includes(table)) return sampleRows(table as (typeof DATA_TYPES)[number], n, offset);
  return Array.from({ length: n }, (_, i) => bookkeeping[table as keyof typeof bookkeeping](offset + i));
}

/**
 * Writes batches of rows with their ledger entries, as the write path does (rows first, the entry with count,
 * checksum and cheap hash); `hash: false` records no cheap hash, as entries written before schema version 8.
 */
async function writeBatches(store: StoreConfig, database: string, tables: readonly BatchTable[], perTable: number, rows: number, opts: { hash?: boolean } = {}) {
  const client = storeClient(store);
  const written: Array<{ batchId: string; tableName: BatchTable; rows: number; checksum: string; hash: string }> = [];
  for (const table of tables) {
    for (let b = 0; b < perTable; b++) {
      const data = rowsOf(table, rows, b * 1000);
      const batchId = `native-${table}-${b}`;
      await insertRows(client, database, batchTableDef(table), data.map((r) => ({ ...r, batchId, ingestTime: 1_700_000_000_000 })));
      written.push({ batchId, tableName: table, rows: data.length, checksum: rowsChecksum(batchTableDef(table), data), hash: opts.hash === false ? UNRECORDED_HASH : rowsCheapHash(batchTableDef(table), data) });
    }
  }
  await recordBatches(client, database, written);
  return written;
}

describe('backup format version 2: Native chunks (src/backup/native.ts)', () => {
  const { config, dir } = backupTestConfig('native');
  const [primary] = config.stores;
  const ring = loadKeyring(dir, { [KEY_ENV]: Buffer.alloc(32, 5).toString('base64') });
  let chdb: { child: ChildProcess; port: number } | undefined;
  let chdbReady: Promise<{ child: ChildProcess; port: number }> | undefined;
  const chdbDir = mkdtempSync(path.join(os.tmpdir(), 'mp-native-chdb-'));

  before(async () => {
    chdbReady = startChdb(path.join(chdbDir, 'data'));
    chdb = await chdbReady;
  });
  after(async () => {
    (chdb ?? (await chdbReady?.catch(() => undefined)))?.child.kill();
    await closeStoreClients();
    rmSync(chdbDir, { recursive: true, force: true });
  });

  it('per batch, the ledger checksum is the one TS computes and the cheap hash is the same on 18.16 and a current release, for every batch table', async () => {
    const current: StoreConfig = { ...primary, id: 'current', url: `http://127.0.0.1:${chdb!.port}` };
    const database = 'bk_native_hash';
    const proofs: Array<Map<string, { rows: number; checksum: string; hash: string }>> = [];
    let written: Awaited<ReturnType<typeof writeBatches>> = [];
    for (const store of [primary, current]) {
      await storeClient(store).command({ query: `DROP DATABASE IF EXISTS ${database}` });
      await migrateStore(storeClient(store), database);
      written = await writeBatches(store, database, BATCH_TABLES, 1, 7);
      const all = new Map<string, { rows: number; checksum: string; hash: string }>();
      for (const table of BATCH_TABLES) {
        const ids = written.filter((w) => w.tableName === table).map((w) => w.batchId);
        for (const [id, p] of await proveBatches(storeClient(store), database, batchTableDef(table), ids)) all.set(id, p);
      }
      proofs.push(all);
    }
    const [old, now] = proofs;
    assert.equal(old.size, BATCH_TABLES.length);
    for (const w of written) {
      const a = old.get(w.batchId);
      const b = now.get(w.batchId);
      assert.deepEqual(a && { rows: a.rows, checksum: a.checksum }, { rows: w.rows, checksum: w.checksum }, `${w.batchId} on 18.16`);
      assert.deepEqual(b && { rows: b.rows, checksum: b.checksum }, { rows: w.rows, checksum: w.checksum }, `${w.batchId} on the current release`);
      assert.equal(a?.hash, b?.hash, `${w.batchId}: the cheap hash differs between 18.16 and the current release`);
      assert.notEqual(a?.hash, '0');
    }
  });

  it('a backup is Native chunks of whole batches that verify; a restore skips what the target ledger holds, inserts the rest, and the check confirms it', async () => {
    const database = primary.database;
    await migrateStore(storeClient(primary), database);
    const written = await writeBatches(primary, database, ['trades', 'orderbook', 'quarantine'], 3, 5);
    // a batch of no rows: only its ledger entry
    await recordBatches(storeClient(primary), database, [{ batchId: 'native-empty', tableName: 'trades', rows: 0, checksum: '0', hash: '0' }]);
    const store = new LocalBackupStore(path.join(dir, 'v2-backups'));
    const backupId = backupIdAt(Date.UTC(2025, 5, 1), 0.3);
    const result = await exportBackup({ sources: [{ id: primary.id, client: storeClient(primary), database }], store, keyring: ring, backupId, full: true, chunkRows: 10 });
    assert.equal(result.deferred, 0);
    assert.equal(result.batches, written.length + 1);
    const manifest = await readManifest(store, backupId, ring);
    assert.equal(manifest.version, 2);
    const native = manifest.chunks.filter((c) => c.encoding === 'native');
    // 10 rows a chunk: two 5-row batches each; trades: one chunk for the empty batch and two of rows
    assert.equal(native.length, 1 + 2 + 2 + 2);
    const list = await readBatches(store, manifest);
    for (const c of native) {
      const counter = await countNativeGzip((await readNativeChunk(store, ring, manifest, c.index)).compressed);
      const expected = Object.fromEntries(list.filter((b) => b.chunk === c.index && b.rows > 0).map((b) => [b.batchId, b.rows]));
      assert.deepEqual(Object.fromEntries(counter.rowsByBatch), expected, c.file);
      assert.deepEqual(counter.columns ?? c.columns, c.columns);
    }
    const report = await verifyBackupArchive(store, ring, backupId);
    assert.deepEqual(report.problems, []);
    assert.equal(report.rows, written.reduce((n, w) => n + w.rows, 0));
    assert.equal(result.walked, true);
    // without walking (the check right after a backup), a damaged chunk still fails: its SHA-256 and GCM tag
    const damaged = new LocalBackupStore(path.join(dir, 'v2-damaged-backups'));
    for (const name of await store.list(backupId)) await damaged.put(name, (await store.get(name)) as Buffer);
    const chunkName = `${backupId}/${native[1].file}`;
    const bytes = Buffer.from((await damaged.get(chunkName)) as Buffer);
    bytes[bytes.length >> 1] ^= 0x40;
    await damaged.put(chunkName, bytes);
    const unwalked = await verifyBackupArchive(damaged, ring, backupId, undefined, { walk: false });
    assert.equal(unwalked.ok, false);
    assert.ok(unwalked.problems.some((p) => p.startsWith(`${chunkName}: SHA-256 `) && p.endsWith('the file is damaged')), unwalked.problems.join('; '));

    // the target's ledger already holds one batch (without its rows): it is skipped, its chunk neighbour restored
    const target = { id: primary.id, client: storeClient(primary), database: 'bk_native_target' };
    await target.client.command({ query: `DROP DATABASE IF EXISTS ${target.database}` });
    await migrateStore(target.client, target.database);
    const held = written.find((w) => w.tableName === 'orderbook')!;
    await recordBatches(target.client, target.database, [held]);
    const plan = await planRestore(store, ring, backupId);
    let restored = 0;
    let skipped = 0;
    for (const step of plan.steps) {
      for (const chunk of step.chunks) {
        const r = await restoreChunk(store, ring, step.backupId, chunk, target);
        restored += r.restored;
        skipped += r.skipped;
      }
    }
    assert.equal(skipped, 1);
    assert.equal(restored, written.length); // every batch with rows but the held one, plus the empty batch
    const count = async (table: string, batchId: string) => {
      const res = await target.client.query({ query: `SELECT count() AS n FROM ${target.database}.${table} WHERE batch_id = '${batchId}'`, format: 'JSONEachRow' });
      return Number((await res.json<{ n: string }>())[0].n);
    };
    assert.equal(await count('orderbook', held.batchId), 0, 'the held batch was skipped');
    for (const w of written.filter((x) => x !== held)) assert.equal(await count(w.tableName, w.batchId), w.rows, w.batchId);
    const check = await verifyRestore(store, ring, backupId, target);
    assert.equal(check.ok, false);
    assert.equal(check.problems.length, 1);
    assert.match(check.problems[0], new RegExp(`batch ${held.batchId} \\(orderbook\\) holds 0 rows`));
    // a repeated restore writes nothing
    for (const step of plan.steps) for (const chunk of step.chunks) assert.equal((await restoreChunk(store, ring, step.backupId, chunk, target)).restored, 0);

    // the same batches with entries that recorded no cheap hash (written before schema version 8) are proved
    // by the ledger checksum instead, and the backup holds them with the same hashes
    const legacy = 'bk_native_legacy';
    await storeClient(primary).command({ query: `DROP DATABASE IF EXISTS ${legacy}` });
    await migrateStore(storeClient(primary), legacy);
    const legacyWritten = await writeBatches(primary, legacy, ['trades', 'orderbook', 'quarantine'], 3, 5, { hash: false });
    assert.ok(legacyWritten.every((w) => w.hash === UNRECORDED_HASH));
    const other = new LocalBackupStore(path.join(dir, 'v2-legacy-backups'));
    const legacyId = backupIdAt(Date.UTC(2025, 5, 2), 0.4);
    const digestBefore = await ledgerDigest(storeClient(primary), legacy);
    const legacyResult = await exportBackup({ sources: [{ id: primary.id, client: storeClient(primary), database: legacy }], store: other, keyring: ring, backupId: legacyId, full: true, chunkRows: 10 });
    assert.equal(legacyResult.deferred, 0);
    assert.equal(legacyResult.hashesLearned, legacyWritten.length);
    assert.deepEqual(legacyResult.learnFailures, []);
    // the ledger digest `replicas check` compares does not cover the cheap hash: learning it changes nothing there
    assert.deepEqual(await ledgerDigest(storeClient(primary), legacy), digestBefore);
    const legacyList = await readBatches(other, await readManifest(other, legacyId, ring));
    const key = (b: { batchId: string; rows: number; checksum: string; hash?: string }) => `${b.batchId}:${b.rows}:${b.checksum}:${b.hash}`;
    assert.deepEqual(legacyList.map(key).sort(), list.filter((b) => b.rows > 0).map(key).sort());
    // ...and the writer's cheap hash is the one the store computes over the stored rows
    assert.deepEqual(list.filter((b) => b.rows > 0).map((b) => `${b.batchId}:${b.hash}`).sort(), written.map((w) => `${w.batchId}:${w.hash}`).sort());
    // the legacy store learned those hashes: its entries now hold what the writer would have recorded
    const learned = await ledgerEntriesOf(storeClient(primary), legacy, legacyWritten.map((w) => w.batchId));
    assert.deepEqual(learned.map((e) => `${e.batchId}:${e.rows}:${e.checksum}:${e.hash}`).sort(), written.map((w) => `${w.batchId}:${w.rows}:${w.checksum}:${w.hash}`).sort());
  });

  it("rows that no longer match the ledger's cheap hash are proved by the ledger checksum: taken when it matches, deferred when not", async () => {
    const database = 'bk_native_mismatch';
    const client = storeClient(primary);
    await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await migrateStore(client, database);
    const [wrongHash, changed, fine] = await writeBatches(primary, database, ['trades'], 3, 4);
    // an entry whose recorded hash is not its rows' (a writer hashing differently): the checksum still proves them
    await client.command({ query: `ALTER TABLE ${database}.batches UPDATE hash = 12345 WHERE batch_id = '${wrongHash.batchId}'` });
    // rows changed after they were written: neither proof holds, the batch is deferred, never backed up as is
    await client.command({ query: `ALTER TABLE ${database}.trades UPDATE side = concat(side, 'x') WHERE batch_id = '${changed.batchId}'` });
    await eventually('both mutations done', async () => {
      const r = await client.query({ query: `SELECT count() AS n FROM system.mutations WHERE database = '${database}' AND is_done = 0`, format: 'JSONEachRow' });
      return Number((await r.json<{ n: string }>())[0].n) === 0 ? true : undefined;
    });
    const store = new LocalBackupStore(path.join(dir, 'v2-mismatch-backups'));
    const backupId = backupIdAt(Date.UTC(2025, 5, 4), 0.6);
    const result = await exportBackup({ sources: [{ id: primary.id, client, database }], store, keyring: ring, backupId, full: true });
    const manifest = await readManifest(store, backupId, ring);
    assert.deepEqual((await readBatches(store, manifest)).map((b) => b.batchId).sort(), [fine.batchId, wrongHash.batchId].sort());
    assert.equal(result.deferred, 1);
    assert.equal(manifest.deferred[0].batchId, changed.batchId);
    // the wrong hash was replaced by the one the store computed over the rows the checksum proved: the writer's
    const [healed] = await ledgerEntriesOf(client, database, [wrongHash.batchId]);
    assert.equal(healed.hash, wrongHash.hash);
    assert.equal(result.hashesLearned, 1);
    assert.match(manifest.deferred[0].reason, new RegExp(`holds 4 rows \\(checksum \\d+\\), its ledger says 4 \\(${changed.checksum}\\)`));
  });

  it('a batch whose rows were written twice (not merged yet) is proved and read with FINAL: the chunk holds it once', async () => {
    const database = 'bk_native_dup';
    const client = storeClient(primary);
    await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await migrateStore(client, database);
    // no merge may remove the duplicates before the backup reads them
    await client.command({ query: `SYSTEM STOP MERGES ${database}.trades` });
    try {
      const [once, twice] = await writeBatches(primary, database, ['trades'], 2, 4);
      const data = sampleRows('trades', 4, 1000);
      await insertRows(client, database, batchTableDef('trades'), data.map((r) => ({ ...r, batchId: twice.batchId, ingestTime: 1_700_000_000_001 })));
      const counted = await proveBatches(client, database, batchTableDef('trades'), [twice.batchId], { ledger: false });
      assert.equal(counted.get(twice.batchId)?.rows, 8, 'the duplicates are there, unmerged');
      const store = new LocalBackupStore(path.join(dir, 'v2-dup-backups'));
      const backupId = backupIdAt(Date.UTC(2025, 5, 3), 0.5);
      const result = await exportBackup({ sources: [{ id: primary.id, client, database }], store, keyring: ring, backupId, full: true });
      assert.equal(result.deferred, 0);
      assert.equal(result.rows, once.rows + twice.rows);
      const report = await verifyBackupArchive(store, ring, backupId);
      assert.deepEqual(report.problems, []);
      const manifest = await readManifest(store, backupId, ring);
      const rowsByBatch = new Map<string, number>();
      for (const c of manifest.chunks.filter((x) => x.encoding === 'native')) {
        for (const [id, n] of (await countNativeGzip((await readNativeChunk(store, ring, manifest, c.index)).compressed)).rowsByBatch) rowsByBatch.set(id, (rowsByBatch.get(id) ?? 0) + n);
      }
      assert.deepEqual(Object.fromEntries(rowsByBatch), { [once.batchId]: 4, [twice.batchId]: 4 });
    } finally {
      await client.command({ query: `SYSTEM START MERGES ${database}.trades` });
    }
  });

  it('a chunk whose stream does not hold exactly its batches is refused as it is written: nothing stored, the writer unchanged', async () => {
    const database = 'bk_native_walked';
    const client = storeClient(primary);
    await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await migrateStore(client, database);
    const [a, b] = await writeBatches(primary, database, ['trades'], 2, 3);
    const def = batchTableDef('trades');
    const columns = nativeColumns(def);
    const store = new LocalBackupStore(path.join(dir, 'v2-walked-backups'));
    const writer = new ArchiveWriter(store, ring, backupIdAt(Date.UTC(2025, 5, 5), 0.7));
    const entry = (w: typeof a, rows = w.rows) => ({ batchId: w.batchId, table: 'trades' as const, rows, checksum: w.checksum, hash: w.hash });
    const gzipped = async () => (await exportNative(client, database, def, columns, [a.batchId, b.batchId], false)).stream;
    // rows of a batch the entries do not list (b's rows came along: a batch written between proof and export)
    await assert.rejects(writer.addNativeChunk('trades', columns, [entry(a)], await gzipped()), (err: Error) => err instanceof BackupError && /chunks\/000000\.bin: holds rows of batch native-trades-1, which the manifest does not list/.test(err.message));
    // a batch with another row count than proved
    await assert.rejects(writer.addNativeChunk('trades', columns, [entry(a), entry(b, 2)], await gzipped()), (err: Error) => err instanceof BackupError && /batch native-trades-1 holds 3 rows, the manifest says 2/.test(err.message));
    assert.equal(writer.batchCount, 0);
    assert.deepEqual(await store.folders(), []);
    // the same stream with its batches listed is taken
    await writer.addNativeChunk('trades', columns, [entry(a), entry(b)], await gzipped());
    assert.equal(writer.batchCount, 2);
  });

  it('the Native walker counts the same fed whole or in small pieces, and says so when a stream ends inside a block', async () => {
    const store = new LocalBackupStore(path.join(dir, 'v2-backups'));
    const [backupId] = await store.folders();
    const manifest = await readManifest(store, backupId, ring);
    const chunk = manifest.chunks.find((c) => c.encoding === 'native' && c.rows > 0)!;
    const plain = gunzipSync((await readNativeChunk(store, ring, manifest, chunk.index)).compressed);
    const whole = new NativeBatchCounter();
    whole.push(plain);
    whole.end();
    const pieces = new NativeBatchCounter();
    for (let i = 0, n = 1; i < plain.length; i += n, n = (n % 7) + 1) pieces.push(plain.subarray(i, i + n));
    pieces.end();
    assert.equal(whole.rows, chunk.rows);
    assert.deepEqual([...pieces.rowsByBatch], [...whole.rowsByBatch]);
    const cut = new NativeBatchCounter();
    cut.push(plain.subarray(0, plain.length - 3));
    assert.throws(() => cut.end(), (err: Error) => err instanceof NativeFormatError && /ends inside a block/.test(err.message));
  });
});
