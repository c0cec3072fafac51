import { BATCH_TABLES } from '../../src/domain/batch';
import { batchTableDef } from '../../src/storage/batch-tables';
import { createTableSql } from '../../src/storage/ddl';
import { MIGRATIONS, type Migration } from '../../src/storage/migrations';
import { BATCH_ID_SORTING_KEY_VERSION, SCHEMA_TABLES } from '../../src/storage/tables';

/**
 * The schema of versions 1–4: every batch table sorted on its natural key alone (before migration 5 appended
 * batch_id). A baseline that creates the declared tables with that key, then migrations 2–4 as they are.
 * Shared by test/storage/migrate-batch-key.test.ts and `npm run bench -- rekey`.
 */
const batchTables = new Set<string>(BATCH_TABLES.map((t) => batchTableDef(t).name));

const OLD_KEY_BASELINE: Migration = {
  version: 1,
  name: MIGRATIONS[0].name,
  async up(ctx) {
    for (const def of SCHEMA_TABLES) {
      const sql = createTableSql(ctx.database, def);
      await ctx.exec(batchTables.has(def.name) ? sql.replace(/, batch_id\)$/, ')') : sql);
    }
  },
};

/** Migrations that leave a store as versions 1–4 did: pass to migrateStore. */
export const BEFORE_BATCH_ID_KEY: readonly Migration[] = [OLD_KEY_BASELINE, ...MIGRATIONS.filter((m) => m.version > 1 && m.version < BATCH_ID_SORTING_KEY_VERSION)];
