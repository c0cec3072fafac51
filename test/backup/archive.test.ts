import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DATA_TYPES } from '../../src/domain/data-types';
import { backupIdAt } from '../../src/domain/backup';
import { ArchiveWriter, type LedgerEntry } from '../../src/backup/archive-writer';
import { readChain, readChunk, readManifest } from '../../src/backup/archive-reader';
import { listBackups } from '../../src/backup/catalog';
import { KEY_ENV, KEY_FILE_ENV, loadKeyring, parseKey, type BackupKeyring } from '../../src/backup/key';
import { LocalBackupStore } from '../../src/backup/local-store';
import { verifyBackupArchive } from '../../src/backup/verify';
import { batchTableDef } from '../../src/storage/batch-tables';
import { rowsChecksum } from '../../src/storage/checksum';
import type { AlertRow } from '../../src/storage/records';
import type { BatchTable } from '../../src/domain/batch';
import { sampleRows } from '../storage/sample-rows';

const KEY_A = Buffer.alloc(32, 7).toString('base64');
const KEY_B = Buffer.alloc(32, 9).toString('base64');

function tmp(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'mp-backup-unit-'));
}

function keyring(base64: string, previous?: string): BackupKeyring {
  return loadKeyring(tmp(), { [KEY_ENV]: base64, ...(previous && { MARKETPRISM_BACKUP_PREVIOUS_KEYS: previous }) });
}

const ALERT: AlertRow = { key: 'breaker:exchange:okx', severity: 'warning', source: 'test', message: 'open ✓', raisedAt: 1, resolvedAt: 0, state: 'open', updatedAt: 2 };

/** Writes a backup of one batch per data type plus bookkeeping batches and an alert; small chunks so there are several. */
async function writeBackup(store: LocalBackupStore, ring: BackupKeyring, id: string, parentId: string | null, offset: number, createdAt = Date.now()) {
  const writer = new ArchiveWriter(store, ring, id, 4_000);
  const written: Array<LedgerEntry & { data: object[] }> = [];
  for (const type of DATA_TYPES) {
    for (let b = 0; b < 2; b++) {
      const rows = sampleRows(type, 5, offset + b * 100);
      const entry = { batchId: `${type}-${offset}-${b}`, table: type as BatchTable, rows: rows.length, checksum: rowsChecksum(batchTableDef(type), rows) };
      await writer.addBatch(entry, rows);
      written.push({ ...entry, data: rows });
    }
  }
  const gaps = [{ exchange: 'okx', dataType: 'trades', symbol: 'BTC/USDT', fromTime: 1, toTime: 2, reason: 'test', detectedAt: 3 }];
  const gapEntry = { batchId: `gaps-${offset}`, table: 'collection_gaps' as const, rows: 1, checksum: rowsChecksum(batchTableDef('collection_gaps'), gaps) };
  await writer.addBatch(gapEntry, gaps);
  written.push({ ...gapEntry, data: gaps });
  await writer.addAlerts([ALERT]);
  const manifest = await writer.finish({ parentId, createdAt, stores: ['primary'], sources: { primary: written.length } });
  return { manifest, written };
}

function oneLine(text: string): void {
  assert.ok(!text.includes('\n'), `one line: ${text}`);
}

describe('backup archive (src/backup)', () => {
  const id1 = backupIdAt(Date.UTC(2025, 0, 1), 0.1);
  const id2 = backupIdAt(Date.UTC(2025, 0, 1, 1), 0.2);

  it('round trip: every batch comes back with its rows, counts and checksums; alerts too; the chain reads oldest first', async () => {
    const dir = tmp();
    const store = new LocalBackupStore(dir);
    const ring = keyring(KEY_A);
    const first = await writeBackup(store, ring, id1, null, 0);
    const second = await writeBackup(store, ring, id2, id1, 1000);
    assert.ok(first.manifest.chunks.length > 3, `several chunks (${first.manifest.chunks.length})`);
    assert.equal(first.manifest.kind, 'full');
    assert.equal(second.manifest.kind, 'incremental');
    assert.equal(second.manifest.keyId, ring.current.keyId);
    const chain = await readChain(store, id2, ring);
    assert.deepEqual(chain.map((m) => m.backupId), [id1, id2]);
    for (const { manifest, written } of [first, second]) {
      const got = new Map<string, object[]>();
      const alerts: AlertRow[] = [];
      for (const c of manifest.chunks) {
        const content = await readChunk(store, ring, manifest, c.index);
        for (const b of content.batches) got.set(b.batchId, b.rows);
        alerts.push(...content.alerts);
      }
      assert.equal(got.size, written.length);
      for (const w of written) assert.deepEqual(got.get(w.batchId), JSON.parse(JSON.stringify(w.data)), w.batchId);
      assert.deepEqual(alerts, [ALERT]);
      const report = await verifyBackupArchive(store, ring, manifest.backupId);
      assert.deepEqual(report.problems, []);
      assert.equal(report.ok, true);
      assert.equal(report.batches, written.length);
    }
    // chunks are encrypted: no row text is readable in the files, and the key is in no file
    const files = await store.list(id1);
    for (const f of files) {
      const bytes = readFileSync(path.join(dir, f));
      assert.ok(!bytes.includes('BTC/USDT'), `${f} holds plaintext`);
      assert.ok(!bytes.includes(KEY_A), `${f} holds the key`);
    }
    const listed = await listBackups(store);
    assert.deepEqual(listed.map((b) => [b.backupId, b.parentId, b.state]), [[id1, null, 'unverified'], [id2, id1, 'unverified']]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists backups made in the same second in the order they were made, not by their random suffix', async () => {
    const dir = tmp();
    const store = new LocalBackupStore(dir);
    const ring = keyring(KEY_A);
    const second = Date.UTC(2025, 0, 2, 3, 4, 5);
    const older = backupIdAt(second, 0.9);
    const newer = backupIdAt(second + 400, 0.1);
    assert.ok(newer < older, 'the newer id sorts first as text');
    await writeBackup(store, ring, older, null, 0, second + 10);
    await writeBackup(store, ring, newer, older, 1000, second + 410);
    assert.deepEqual((await listBackups(store)).map((b) => b.backupId), [older, newer]);
    rmSync(dir, { recursive: true, force: true });
  });

  describe('each kind of damage is found, in one line naming the file and what is wrong', () => {
    async function damaged(damage: (dir: string, store: LocalBackupStore) => void | Promise<void>, ring = keyring(KEY_A)) {
      const dir = tmp();
      const store = new LocalBackupStore(dir);
      const writeRing = keyring(KEY_A);
      await writeBackup(store, writeRing, id1, null, 0);
      await writeBackup(store, writeRing, id2, id1, 1000);
      await damage(dir, store);
      const report = await verifyBackupArchive(store, ring, id2);
      assert.equal(report.ok, false);
      for (const p of report.problems) oneLine(p);
      return report.problems;
    }

    it('a flipped byte in a chunk', async () => {
      const problems = await damaged((dir) => {
        const file = path.join(dir, id2, 'chunks', '000002.bin');
        const bytes = readFileSync(file);
        bytes[Math.floor(bytes.length / 2)] ^= 0x01;
        writeFileSync(file, bytes);
      });
      assert.equal(problems.length, 1);
      assert.match(problems[0], new RegExp(`^${id2}/chunks/000002\\.bin: SHA-256 [0-9a-f]{16}… does not match the manifest's [0-9a-f]{16}…: the file is damaged$`));
    });

    it('a wrong key', async () => {
      const wrong = keyring(KEY_B);
      const problems = await damaged(() => undefined, wrong);
      assert.match(problems[0], new RegExp(`^${id2}/manifest\\.json: written with key id ${keyring(KEY_A).current.keyId}, but the key in use has id ${wrong.current.keyId}; set MARKETPRISM_BACKUP_KEY`));
    });

    it('a missing chunk', async () => {
      const problems = await damaged((dir) => rmSync(path.join(dir, id2, 'chunks', '000000.bin')));
      assert.match(problems[0], new RegExp(`^${id2}/chunks/000000\\.bin: missing: the manifest lists it \\(\\d+ bytes\\) and local directory .* does not hold it$`));
    });

    it('a missing parent', async () => {
      const problems = await damaged((dir) => rmSync(path.join(dir, id1), { recursive: true }));
      assert.equal(problems.length, 1);
      assert.match(problems[0], new RegExp(`^${id1}/manifest\\.json: missing: backup ${id2} needs ${id1} as its parent, and local directory .* does not hold it$`));
    });

    it('a truncated manifest', async () => {
      const problems = await damaged((dir) => {
        const file = path.join(dir, id2, 'manifest.json');
        const bytes = readFileSync(file);
        writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
      });
      assert.match(problems[0], new RegExp(`^${id2}/manifest\\.json: truncated or not JSON \\(\\d+ bytes; `));
    });

    it('a damaged batch list', async () => {
      const problems = await damaged((dir) => {
        const file = path.join(dir, id2, 'batches.jsonl');
        writeFileSync(file, readFileSync(file, 'utf8').replace(',5,', ',6,'));
      });
      assert.match(problems[0], new RegExp(`^${id2}/batches\\.jsonl: \\d+ bytes with SHA-256 [0-9a-f]{16}…, the manifest says \\d+ bytes with [0-9a-f]{16}…: the file is damaged$`));
    });

    it('an altered manifest (a row count changed) fails its MAC', async () => {
      const problems = await damaged((dir) => {
        const file = path.join(dir, id2, 'manifest.json');
        writeFileSync(file, readFileSync(file, 'utf8').replace(/"rows":(\d+)/, '"rows":1$1'));
      });
      assert.match(problems[0], new RegExp(`^${id2}/manifest\\.json: authentication failed under key id [0-9a-f]{8}: the manifest was altered$`));
    });

    it('a chunk swapped for another chunk of the same backup (sizes and hashes patched) fails authentication', async () => {
      const ring = keyring(KEY_A);
      const dir = tmp();
      const store = new LocalBackupStore(dir);
      const { manifest } = await writeBackup(store, ring, id1, null, 0);
      const a = path.join(dir, id1, 'chunks', '000000.bin');
      const b = path.join(dir, id1, 'chunks', '000001.bin');
      writeFileSync(a, readFileSync(b));
      // forge the manifest's record of chunk 0 as chunk 1's: only the MAC would tell; re-sign with the key to isolate the AAD check
      const forged = { ...manifest, chunks: manifest.chunks.map((c) => (c.index === 0 ? { ...c, sha256: manifest.chunks[1].sha256, bytes: manifest.chunks[1].bytes } : c)) };
      const { serializeManifest } = await import('../../src/backup/manifest');
      writeFileSync(path.join(dir, id1, 'manifest.json'), serializeManifest(forged, ring));
      const report = await verifyBackupArchive(store, ring, id1);
      assert.match(report.problems[0], new RegExp(`^${id1}/chunks/000000\\.bin: AES-256-GCM authentication failed`));
    });
  });

  describe('keys', () => {
    it('first use generates an owner-only key file under the data dir; later uses read the same key', () => {
      const dataDir = tmp();
      const first = loadKeyring(dataDir, {});
      assert.ok(first.generated);
      assert.equal(statSync(first.generated).mode & 0o777, 0o600);
      const again = loadKeyring(dataDir, {});
      assert.equal(again.generated, undefined);
      assert.equal(again.current.keyId, first.current.keyId);
      assert.match(first.current.keyId, /^[0-9a-f]{8}$/);
    });

    it('a key file readable by others is refused; a malformed key names its source, never its value', () => {
      const dataDir = tmp();
      const { generated } = loadKeyring(dataDir, {});
      chmodSync(generated as string, 0o644);
      assert.throws(() => loadKeyring(dataDir, {}), /is readable by others \(mode 644\); run `chmod 600 /);
      assert.throws(() => parseKey('c2hvcnQ=', KEY_ENV), (err: Error) => err.message.startsWith(`${KEY_ENV} is not a backup key: expected 32 random bytes in base64`) && !err.message.includes('c2hvcnQ='));
      const file = path.join(tmp(), 'k');
      writeFileSync(file, KEY_B);
      assert.equal(loadKeyring(tmp(), { [KEY_FILE_ENV]: file }).current.keyId, keyring(KEY_B).current.keyId);
      assert.throws(() => loadKeyring(tmp(), { [KEY_FILE_ENV]: '/nonexistent/key' }), /MARKETPRISM_BACKUP_KEY_FILE \/nonexistent\/key cannot be read \(ENOENT\)/);
    });

    it('a backup written before a rotation is read with the previous key', async () => {
      const dir = tmp();
      const store = new LocalBackupStore(dir);
      await writeBackup(store, keyring(KEY_A), id1, null, 0);
      const rotated = keyring(KEY_B, KEY_A);
      assert.equal((await verifyBackupArchive(store, rotated, id1)).ok, true);
      const manifest = await readManifest(store, id1, rotated);
      assert.equal(manifest.keyId, keyring(KEY_A).current.keyId);
    });
  });
});
