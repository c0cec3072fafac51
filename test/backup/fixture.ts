import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { storeClient } from '../../src/storage/client';
import { migrateStore } from '../../src/storage/migrate';
import { configPath, parseConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { readBatches, readChain } from '../../src/backup/archive-reader';
import type { BackupStore } from '../../src/backup/store';

/**
 * A copy of the test run's config whose backups go to a directory of their own (tests share one stack, not
 * one backup store), with `extra` merged into the backup: section. The CLI gets the file, workers the config.
 */
export function backupTestConfig(name: string, backup: Record<string, unknown> = {}, top: Record<string, unknown> = {}): { file: string; config: Config; dir: string } {
  const source = configPath();
  const doc = parse(readFileSync(source, 'utf8')) as Record<string, unknown>;
  const dir = mkdtempSync(path.join(os.tmpdir(), `mp-${name}-`));
  doc.backup = { dir: path.join(dir, 'backups'), ...backup };
  // a database of its own on the shared stores: what other test files leave there (rows outside any ledger,
  // batches written by hand) is not this file's to back up, defer or compare
  const database = `bk_${name.replace(/[^A-Za-z0-9]/g, '_')}`;
  doc.stores = (doc.stores as Array<Record<string, unknown>>).map((s) => ({ ...s, database }));
  Object.assign(doc, top);
  const file = path.join(dir, 'marketprism.yaml');
  const text = stringify(doc);
  writeFileSync(file, text);
  return { file, config: parseConfig(text, file), dir };
}

/** Every batch id of a chain, with how many times the chain holds it. */
export async function chainBatchCounts(store: BackupStore, backupId: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const m of await readChain(store, backupId)) for (const b of await readBatches(store, m)) counts.set(b.batchId, (counts.get(b.batchId) ?? 0) + 1);
  return counts;
}

/** Creates the fixture's database on every store (the migrations), as a worker would before its first write. */
export async function migrateBackupStores(config: Config): Promise<void> {
  for (const store of config.stores) await migrateStore(storeClient(store), store.database);
}
