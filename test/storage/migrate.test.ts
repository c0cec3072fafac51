import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storeClient } from '../../src/storage/client';
import { migrateStore } from '../../src/storage/migrate';
import { MIGRATIONS, type Migration } from '../../src/storage/migrations';
import { MARKET_TABLES, SCHEMA_TABLES } from '../../src/storage/tables';
import { startTestStores, type TestStores } from './stores-fixture';

const LATEST = MIGRATIONS.at(-1)!.version;

/** Every table's full definition as the store reports it, to compare before and after a re-run. */
async function schemaSnapshot(stores: TestStores, index: number): Promise<Array<Record<string, unknown>>> {
  const store = stores.stores[index];
  const result = await storeClient(store).query({
    query: `SELECT name, engine_full FROM system.tables WHERE database = '${store.database}' ORDER BY name`,
    format: 'JSONEachRow',
  });
  const tables = await result.json<Record<string, unknown>>();
  const columns = await storeClient(store).query({
    query: `SELECT table, name, type, default_kind, default_expression FROM system.columns WHERE database = '${store.database}' ORDER BY table, name`,
    format: 'JSONEachRow',
  });
  return [...tables, ...(await columns.json<Record<string, unknown>>())];
}

describe('migrateStore (src/storage/migrate.ts) on three real stores', () => {
  let stores: TestStores;
  before(async () => {
    stores = await startTestStores();
  });
  after(async () => {
    await stores?.stop();
  });

  it('applies the baseline once per store; a second run applies nothing and leaves the tables identical', async () => {
    const first = await Promise.all(stores.stores.map((s) => migrateStore(storeClient(s), s.database)));
    for (const result of first) {
      assert.deepEqual(result.applied.map((m) => m.version), MIGRATIONS.map((m) => m.version));
      assert.equal(result.version, LATEST);
    }
    const snapshots = await Promise.all(stores.stores.map((_, i) => schemaSnapshot(stores, i)));
    const names = snapshots[0].filter((r) => 'engine_full' in r).map((r) => r.name);
    assert.deepEqual(names, [...SCHEMA_TABLES.map((t) => t.name), 'schema_migrations'].sort());
    assert.deepEqual(snapshots[1], snapshots[0], 'all stores have the same schema');
    assert.deepEqual(snapshots[2], snapshots[0], 'all stores have the same schema');

    const second = await Promise.all(stores.stores.map((s) => migrateStore(storeClient(s), s.database)));
    for (const result of second) assert.deepEqual(result.applied, []);
    assert.deepEqual(await schemaSnapshot(stores, 0), snapshots[0]);
    const columns = snapshots[0].filter((r) => r.table === 'trades').map((r) => `${r.name} ${r.type} ${r.default_kind}`);
    assert.ok(columns.includes('event_dt DateTime ALIAS'), columns.join(', '));
    assert.ok(columns.includes('event_time UInt64 '), columns.join(', '));
  });

  it('applies a later migration once, and addColumn skips a column that already exists', async () => {
    const store = stores.stores[0];
    const client = storeClient(store);
    const v2: Migration = {
      version: LATEST + 1,
      name: 'test: add a column that version 1 already created',
      async up(ctx) {
        await ctx.addColumn(MARKET_TABLES.trades, 'tradeId');
      },
    };
    const applied = await migrateStore(client, store.database, [...MIGRATIONS, v2]);
    assert.deepEqual(applied.applied, [{ version: LATEST + 1, name: v2.name }]);
    assert.equal(applied.version, LATEST + 1);
    const again = await migrateStore(client, store.database, [...MIGRATIONS, v2]);
    assert.deepEqual(again.applied, []);
    assert.equal(again.version, LATEST + 1);
  });
});
