import type { Command } from 'commander';
import { closeStoreClients, storeClient } from '../storage/client';
import { migrateStore } from '../storage/migrate';
import { configFrom, output, table, type GlobalOptions } from './context';

export interface StoreMigration {
  store: string;
  /** schema version after the run; null when the store could not be migrated */
  version: number | null;
  applied: number[];
  error?: string;
}

/**
 * `marketprism migrate`: brings every configured store's schema up to date now (workers also do it before
 * their first write to a store). For deployments that want the schema in place before anything runs, like the
 * setup job of temporal-compose.yml. Exit 1 when a store could not be migrated.
 */
export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description("apply the schema migrations to every configured store (idempotent; workers also migrate before writing)")
    .option('--json', 'print JSON')
    .action(async (_o: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<GlobalOptions>();
      const config = configFrom(opts);
      const results: StoreMigration[] = [];
      try {
        for (const store of config.stores) {
          try {
            const r = await migrateStore(storeClient(store), store.database);
            results.push({ store: store.id, version: r.version, applied: r.applied.map((a) => a.version) });
          } catch (err) {
            results.push({ store: store.id, version: null, applied: [], error: (err as Error).message.split('\n')[0] });
          }
        }
      } finally {
        await closeStoreClients();
      }
      output(opts, results, () =>
        table([
          ['STORE', 'VERSION', 'APPLIED NOW'],
          ...results.map((r) => [r.store, r.version === null ? `failed: ${r.error}` : String(r.version), r.applied.join(',') || '-']),
        ]),
      );
      if (results.some((r) => r.version === null)) process.exitCode = 1;
    });
}
