import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startChdb } from '../support/chdb';
import { gunzipSync } from 'node:zlib';
import { readBatches, readManifest, readNativeChunk } from '../../src/backup/archive-reader';
import { exportBackup } from '../../src/backup/export';
import { KEY_ENV, loadKeyring } from '../../src/backup/key';
import { LocalBackupStore } from '../../src/backup/local-store';
import { countNativeGzip, NativeBatchCounter, NativeFormatError } from '../../src/backup/native';
import { proveBatches } from '../../src/backup/native-io';
import { planRestore, restoreChunk, verifyRestore } from '../../src/backup/restore';
import { verifyBackupArchive } from '../../src/backup/verify';
import type { StoreConfig } from '../../src/config/schema';
import { backupIdAt } from '../../src/domain/backup';
import { BATCH_TABLES, type BatchTable } from '../../src/domain/batch';
import { DATA_TYPES } from '../../src/domain/data-types';
import { recordBatches } from '../../src/storage/batch-stream';
import { batchTableDef } from '../../src/storage/batch-tables';
import { rowsChecksum } from '../../src/storage/checksum';
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

/** Writes batches of rows with their ledger entries, as the write path does (rows first); returns [batchId, table, rows, checksum]. */
async function writeBatches(store: StoreConfig, database: string, tables: readonly BatchTable[], perTable: number, rows: number) {
  const client = storeClient(store);
  const written: Array<{ batchId: string; tableName: BatchTable; rows: number; checksum: string }> = [];
  for (const table of tables) {
    for (let b = 0; b < perTable; b++) {
      const data = rowsOf(table, rows, b * 1000);
      const batchId = `native-${table}-${b}`;
      await insertRows(client, database, batchTableDef(table), data.map((r) => ({ ...r, batchId, ingestTime: 1_700_000_000_000 })));
      written.push({ batchId, tableName: table, rows: data.length, checksum: rowsChecksum(batchTableDef(table), data) });
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
    await recordBatches(storeClient(primary), database, [{ batchId: 'native-empty', tableName: 'trades', rows: 0, checksum: '0' }]);
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

    // proving row counts only (the bench's comparison) takes the same batches with the same hashes
    const countId = backupIdAt(Date.UTC(2025, 5, 2), 0.4);
    const other = new LocalBackupStore(path.join(dir, 'v2-count-backups'));
    await exportBackup({ sources: [{ id: primary.id, client: storeClient(primary), database }], store: other, keyring: ring, backupId: countId, full: true, chunkRows: 10, proof: 'count' });
    const countList = await readBatches(other, await readManifest(other, countId, ring));
    const key = (b: { batchId: string; rows: number; checksum: string; hash?: string }) => `${b.batchId}:${b.rows}:${b.checksum}:${b.hash}`;
    assert.deepEqual(countList.map(key).sort(), list.map(key).sort());
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
