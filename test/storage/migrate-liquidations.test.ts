import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LiquidationRow } from '../../src/domain/rows';
import { batchRows, batchSummary } from '../../src/storage/batch-rows';
import { rowsChecksum } from '../../src/storage/checksum';
import { storeClient } from '../../src/storage/client';
import type { ColumnKind } from '../../src/storage/columns';
import { ledgerEntry, recordBatch } from '../../src/storage/ledger';
import { migrateStore } from '../../src/storage/migrate';
import { MIGRATIONS, type Migration } from '../../src/storage/migrations';
import { insertRows } from '../../src/storage/table-io';
import { MARKET_TABLES, NULLABLE_LIQUIDATIONS_VERSION, SCHEMA_TABLES, type TableDef } from '../../src/storage/tables';
import { sampleRows } from './sample-rows';
import { startTestStores, type TestStores } from './stores-fixture';
import { UNRECORDED_HASH } from '../../src/storage/records';

/**
 * Migration 2 on real stores that hold the liquidations table as version 1 created it before liquidations
 * could hold NULL: side String, price Float64, amount Float64, no base_value.
 */
const V1_KINDS: Record<string, ColumnKind> = { side: 'string', price: 'float64', amount: 'float64' };
const V1_LIQUIDATIONS: TableDef = {
  ...MARKET_TABLES.liquidations,
  fields: MARKET_TABLES.liquidations.fields.filter((f) => f.field !== 'baseValue').map((f) => ({ field: f.field, column: f.column, kind: V1_KINDS[f.field] ?? f.kind })),
};
const V1_BASELINE: Migration = {
  version: 1,
  name: MIGRATIONS[0].name,
  async up(ctx) {
    for (const def of SCHEMA_TABLES) await ctx.createTable(def.name === 'liquidations' ? V1_LIQUIDATIONS : def);
  },
};

type V1Row = Omit<LiquidationRow, 'baseValue'>;
const v1Rows: V1Row[] = sampleRows('liquidations', 4, 500).map((r, i) => {
  const { baseValue: _dropped, ...row } = r;
  return { ...row, side: i % 2 ? 'buy' : 'sell', price: 41_000 + i, amount: 3 + i };
});
/** what deribit sends: no side, price, contracts or id */
const nullRows: LiquidationRow[] = sampleRows('liquidations', 4, 900).map((r, i) => ({ ...r, side: null, price: null, amount: null, baseValue: 0.5 + i / 8 }));

async function liquidationColumns(store: TestStores['stores'][number], database = store.database): Promise<string[]> {
  const result = await storeClient(store).query({
    query: `SELECT name, type FROM system.columns WHERE database = '${database}' AND table = 'liquidations'`,
    format: 'JSONEachRow',
  });
  return (await result.json<{ name: string; type: string }>()).map((c) => `${c.name} ${c.type}`);
}

async function sortingKey(store: TestStores['stores'][number], database = store.database): Promise<string> {
  const result = await storeClient(store).query({ query: `SELECT engine_full FROM system.tables WHERE database = '${database}' AND name = 'liquidations'`, format: 'JSONEachRow' });
  const [row] = await result.json<{ engine_full: string }>();
  return row.engine_full;
}

describe('migration 2: nullable liquidations, in place on stores with the version 1 schema', () => {
  let stores: TestStores;
  before(async () => {
    stores = await startTestStores();
  });
  after(async () => {
    await stores?.stop();
  });

  it('migrates three old stores in place, twice, keeping old rows and ledger checksums that prove them; NULLs round-trip', async () => {
    const oldChecksum = rowsChecksum(V1_LIQUIDATIONS, v1Rows);
    await Promise.all(
      stores.stores.map(async (store) => {
        const client = storeClient(store);
        assert.deepEqual((await migrateStore(client, store.database, [V1_BASELINE])).applied.map((m) => m.version), [1]);
        assert.ok((await liquidationColumns(store)).includes('side String'));
        await insertRows(client, store.database, V1_LIQUIDATIONS, v1Rows.map((r) => ({ ...r, batchId: 'liquidations-v1', ingestTime: Date.now() })));
        await recordBatch(client, store.database, { batchId: 'liquidations-v1', tableName: 'liquidations', rows: v1Rows.length, checksum: oldChecksum, hash: UNRECORDED_HASH });
      }),
    );
    // a migration interrupted after its first ALTER is finished by the next run
    await storeClient(stores.stores[2]).command({ query: `ALTER TABLE ${stores.stores[2].database}.liquidations MODIFY COLUMN side Nullable(String)` });

    const first = await Promise.all(stores.stores.map((s) => migrateStore(storeClient(s), s.database)));
    // migration 2, and the later ones (which do not touch liquidations)
    const later = MIGRATIONS.filter((m) => m.version >= NULLABLE_LIQUIDATIONS_VERSION).map((m) => m.version);
    for (const result of first) {
      assert.deepEqual(result.applied.map((m) => m.version), later);
      assert.equal(result.version, later.at(-1));
    }
    const second = await Promise.all(stores.stores.map((s) => migrateStore(storeClient(s), s.database)));
    for (const result of second) assert.deepEqual(result.applied, []);

    // the migrated table is the table a fresh store gets: same columns, types, order and sorting key
    const fresh = await migrateStore(storeClient(stores.stores[0]), 'fresh_liquidations');
    assert.deepEqual(fresh.applied.map((m) => m.version), MIGRATIONS.map((m) => m.version));
    const expected = await liquidationColumns(stores.stores[0], 'fresh_liquidations');
    for (const store of stores.stores) {
      const columns = await liquidationColumns(store);
      assert.deepEqual(columns, expected);
      assert.deepEqual(await sortingKey(store), (await sortingKey(stores.stores[0], 'fresh_liquidations')).replace('fresh_liquidations', store.database));
    }
    // Float64 became Decimal in the same pass (migration 4's type, reached through text by migration 2's MODIFY)
    for (const column of ['side Nullable(String)', 'price Nullable(Decimal(38, 18))', 'amount Nullable(Decimal(38, 18))', 'base_value Nullable(Decimal(38, 18))']) {
      assert.ok(expected.includes(column), `${column} in ${expected.join(', ')}`);
    }
    assert.deepEqual(
      expected.slice(expected.indexOf('amount Nullable(Decimal(38, 18))'), expected.indexOf('amount Nullable(Decimal(38, 18))') + 3),
      ['amount Nullable(Decimal(38, 18))', 'base_value Nullable(Decimal(38, 18))', 'liquidation_id String'],
    );

    for (const store of stores.stores) {
      const client = storeClient(store);
      // old rows read back unchanged (base_value NULL), and the store proves the ledger's checksum for them
      // (migration 4 recomputed it over decimal text: the same on every store, and what TS computes for the rows)
      const stored = await batchRows(client, store.database, 'liquidations', 'liquidations-v1');
      assert.deepEqual(
        stored.map(({ batchId: _b, ingestTime: _i, ...row }) => row),
        v1Rows.map((r) => ({ ...r, baseValue: null })).sort((a, b) => (a.symbol + a.liquidationId).localeCompare(b.symbol + b.liquidationId)),
      );
      assert.deepEqual(await batchSummary(client, store.database, 'liquidations', 'liquidations-v1'), { rows: 4, checksum: (await ledgerEntry(client, store.database, 'liquidations-v1'))!.checksum });
      assert.equal(rowsChecksum(MARKET_TABLES.liquidations, stored), rowsChecksum(MARKET_TABLES.liquidations, v1Rows.map((r) => ({ ...r, baseValue: null }))));
      assert.notEqual((await ledgerEntry(client, store.database, 'liquidations-v1'))!.checksum, oldChecksum, 'IEEE-bit checksums are gone');

      // rows without side, price or contracts are stored as NULL, never 0
      await insertRows(client, store.database, MARKET_TABLES.liquidations, nullRows.map((r) => ({ ...r, batchId: 'liquidations-null', ingestTime: Date.now() })));
      const back = await batchRows(client, store.database, 'liquidations', 'liquidations-null');
      assert.deepEqual(back.map((r) => [r.side, r.price, r.amount, r.baseValue]).sort(), nullRows.map((r) => [null, null, null, r.baseValue]).sort());
      assert.deepEqual(await batchSummary(client, store.database, 'liquidations', 'liquidations-null'), { rows: 4, checksum: rowsChecksum(MARKET_TABLES.liquidations, nullRows) });
    }
  });
});
