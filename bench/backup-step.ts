/**
 * One step of `npm run bench -- backup`, in a process of its own so its peak RSS is its own:
 *   backup  <config file> <backup id>            export + verify (compression, encryption, checksums)
 *   restore <config file> <backup id> <database> plan + every chunk + verify into <database> of the first store
 *                                                (its tables created before the clock starts, as for the raw import)
 * Prints one JSON line: {ms, maxRssMb, rows, bytes?}.
 */
import { loadConfig } from '../src/config/load';
import { exportBackup } from '../src/backup/export';
import { loadKeyring } from '../src/backup/key';
import { openBackupStore } from '../src/backup/open';
import { planRestore, restoreChunk, verifyRestore } from '../src/backup/restore';
import { verifyBackupArchive } from '../src/backup/verify';
import { closeStoreClients, storeClient } from '../src/storage/client';
import { migrateStore } from '../src/storage/migrate';

async function main(): Promise<void> {
  const [mode, file, backupId, database] = process.argv.slice(2);
  const config = loadConfig(file);
  const store = await openBackupStore(config);
  const keyring = loadKeyring(config.dataDir);
  // the restore's target tables exist before the clock starts, as the raw import's do (creating them, about
  // 0.4 s on 2 vCPU, is once per restore, not per row; the restore activity does it before the first chunk)
  if (mode === 'restore') await migrateStore(storeClient(config.stores[0]), database);
  const started = performance.now();
  let rows = 0;
  let bytes = 0;
  if (mode === 'backup') {
    const sources = config.stores.slice(0, 1).map((s) => ({ id: s.id, client: storeClient(s), database: s.database }));
    const r = await exportBackup({ sources, store, keyring, backupId, full: true });
    const v = await verifyBackupArchive(store, keyring, backupId, undefined, { walk: false });
    if (!v.ok) throw new Error(v.problems[0]);
    rows = r.rows;
    bytes = r.bytes;
  } else {
    const s = config.stores[0];
    const target = { id: s.id, client: storeClient(s), database };
    const plan = await planRestore(store, keyring, backupId, ['trades']);
    for (const step of plan.steps) for (const chunk of step.chunks) rows += (await restoreChunk(store, keyring, step.backupId, chunk, target, ['trades'])).rows;
    const check = await verifyRestore(store, keyring, backupId, target, ['trades']);
    if (!check.ok) throw new Error(check.problems[0]);
  }
  const ms = performance.now() - started;
  await closeStoreClients();
  process.stdout.write(`${JSON.stringify({ ms, rows, bytes, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
