import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storageActivities } from '../../src/activities/storage';
import type { Batch } from '../../src/domain/batch';
import { batchRows, batchSummary } from '../../src/storage/batch-rows';
import { rowsChecksum } from '../../src/storage/checksum';
import { storeClient } from '../../src/storage/client';
import { tableDigest } from '../../src/storage/consistency';
import { ledgerEntry, recordBatch } from '../../src/storage/ledger';
import { migrateStore } from '../../src/storage/migrate';
import { MIGRATIONS, type Migration } from '../../src/storage/migrations';
import type { CollectionGapRow, QuarantineRow } from '../../src/domain/rows';
import { insertRows, selectRows } from '../../src/storage/table-io';
import { BOOKKEEPING_BATCH_ID_VERSION, COLLECTION_GAPS_TABLE, NULLABLE_LIQUIDATIONS_VERSION, QUARANTINE_TABLE, SCHEMA_TABLES, type TableDef } from '../../src/storage/tables';
import { startTestStores, type TestStores } from './stores-fixture';
import { UNRECORDED_HASH } from '../../src/storage/records';

/**
 * Migration 3 on real stores that hold quarantine and collection_gaps as versions 1 and 2 left them: rows
 * without batch_id / ingest_time. Old batches must still read, verify against their ledger entries, and be
 * copyable (by content: their rows name no batch); new batches are stamped and copied by batch id.
 */
const unstamped = (def: TableDef): TableDef => ({ ...def, stamps: [] });
const V2_DEFS: Record<string, TableDef> = { quarantine: unstamped(QUARANTINE_TABLE), collection_gaps: unstamped(COLLECTION_GAPS_TABLE) };
const V2_BASELINE: Migration = {
  version: 1,
  name: MIGRATIONS[0].name,
  async up(ctx) {
    for (const def of SCHEMA_TABLES) await ctx.createTable(V2_DEFS[def.name] ?? def);
  },
};
const V2_MIGRATIONS = [V2_BASELINE, MIGRATIONS.find((m) => m.version === NULLABLE_LIQUIDATIONS_VERSION)!];

/** 2036-02-01: the day of every row here. */
const DAY = Date.UTC(2036, 1, 1);
const oldQuarantine: QuarantineRow[] = Array.from({ length: 3 }, (_, i) => ({
  exchange: 'okx', dataType: 'trades', symbol: 'MGQ/USDT', reason: `old ${i}`, raw: `{"id":"old-${i}"}`, receivedAt: DAY + i,
}));
const oldGaps: CollectionGapRow[] = Array.from({ length: 2 }, (_, i) => ({
  exchange: 'okx', dataType: 'trades', symbol: `MGG${i}/USDT`, fromTime: DAY + i, toTime: DAY + 5_000, reason: 'old gap', detectedAt: DAY + 6_000,
}));

async function columnsOf(store: TestStores['stores'][number], table: string, database = store.database): Promise<string[]> {
  const result = await storeClient(store).query({
    query: `SELECT name, type FROM system.columns WHERE database = '${database}' AND table = '${table}'`,
    format: 'JSONEachRow',
  });
  return (await result.json<{ name: string; type: string }>()).map((c) => `${c.name} ${c.type}`);
}

describe('migration 3: batch id on bookkeeping rows, in place on stores with the version 2 schema', () => {
  let stores: TestStores;
  before(async () => {
    stores = await startTestStores();
  });
  after(async () => {
    await stores?.stop();
  });

  it('migrates three old stores in place, twice; old rows read back and verify; old batches copy by content, new ones by id', async () => {
    const [s0, s1, s2] = stores.stores;
    const oldChecksums = { quarantine: rowsChecksum(QUARANTINE_TABLE, oldQuarantine), collection_gaps: rowsChecksum(COLLECTION_GAPS_TABLE, oldGaps) };
    await Promise.all(
      stores.stores.map(async (store) => {
        const client = storeClient(store);
        assert.deepEqual((await migrateStore(client, store.database, V2_MIGRATIONS)).applied.map((m) => m.version), [1, NULLABLE_LIQUIDATIONS_VERSION]);
        assert.ok(!(await columnsOf(store, 'quarantine')).includes('batch_id String'));
        if (store === s2) return; // the third store was down while the old batches were written
        await insertRows(client, store.database, V2_DEFS.quarantine, oldQuarantine);
        await recordBatch(client, store.database, { batchId: 'mg-q-old', tableName: 'quarantine', rows: 3, checksum: oldChecksums.quarantine, hash: UNRECORDED_HASH });
        await insertRows(client, store.database, V2_DEFS.collection_gaps, oldGaps);
        await recordBatch(client, store.database, { batchId: 'mg-g-old', tableName: 'collection_gaps', rows: 2, checksum: oldChecksums.collection_gaps, hash: UNRECORDED_HASH });
      }),
    );
    // a migration interrupted after its first ALTER is finished by the next run
    await storeClient(s2).command({ query: `ALTER TABLE ${s2.database}.quarantine ADD COLUMN batch_id String AFTER received_at` });

    const first = await Promise.all(stores.stores.map((s) => migrateStore(storeClient(s), s.database)));
    // migration 3, and the later ones (migration 5 rebuilds these tables with batch_id ending the sorting key)
    const later = MIGRATIONS.filter((m) => m.version >= BOOKKEEPING_BATCH_ID_VERSION).map((m) => m.version);
    for (const result of first) {
      assert.deepEqual(result.applied.map((m) => m.version), later);
      assert.equal(result.version, later.at(-1));
    }
    const second = await Promise.all(stores.stores.map((s) => migrateStore(storeClient(s), s.database)));
    for (const result of second) assert.deepEqual(result.applied, []);

    // the migrated tables are the tables a fresh store gets: same columns, types and order
    const fresh = await migrateStore(storeClient(s0), 'fresh_bookkeeping');
    assert.deepEqual(fresh.applied.map((m) => m.version), MIGRATIONS.map((m) => m.version));
    for (const table of ['quarantine', 'collection_gaps']) {
      const expected = await columnsOf(s0, table, 'fresh_bookkeeping');
      assert.deepEqual(expected.slice(-2), ['batch_id String', 'ingest_time UInt64'], table);
      for (const store of stores.stores) assert.deepEqual(await columnsOf(store, table), expected, `${store.id} ${table}`);
    }

    for (const store of [s0, s1]) {
      const client = storeClient(store);
      // old rows read back with an empty batch id, and still prove the checksum their ledger entries recorded
      const quarantine = await selectRows<QuarantineRow & { batchId: string; ingestTime: number }>(client, store.database, QUARANTINE_TABLE);
      assert.deepEqual(quarantine, oldQuarantine.map((r) => ({ ...r, batchId: '', ingestTime: 0 })));
      assert.equal(rowsChecksum(QUARANTINE_TABLE, quarantine), (await ledgerEntry(client, store.database, 'mg-q-old'))!.checksum);
      const [qDay] = await tableDigest(client, store.database, 'quarantine');
      assert.equal(qDay.checksum, oldChecksums.quarantine);
      const [gDay] = await tableDigest(client, store.database, 'collection_gaps');
      assert.deepEqual({ rows: gDay.rows, checksum: gDay.checksum }, { rows: 2, checksum: (await ledgerEntry(client, store.database, 'mg-g-old'))!.checksum });
      assert.equal((await batchSummary(client, store.database, 'quarantine', 'mg-q-old')).rows, 0, 'old rows name no batch');
    }

    const { copyBatch, insertBatch } = storageActivities(stores.config);
    // old batches: the third store gets them from the first, by content, verified
    for (const [batchId, table] of [['mg-q-old', 'quarantine'], ['mg-g-old', 'collection_gaps']] as const) {
      const copied = await copyBatch({ store: s2.id, sources: [s0.id], batchId, table });
      assert.deepEqual(copied, { store: s2.id, batchId, table, rows: table === 'quarantine' ? 3 : 2, checksum: oldChecksums[table], source: s0.id, alreadyPresent: false });
      assert.deepEqual(await tableDigest(storeClient(s2), s2.database, table), await tableDigest(storeClient(s0), s0.database, table));
    }

    // new batches are stamped with their id and copied by it
    const fresh3 = oldQuarantine.map((r, i) => ({ ...r, reason: `new ${i}`, raw: `{"id":"new-${i}"}` }));
    const written = await insertBatch({ store: s0.id, batch: { batchId: 'mg-q-new', table: 'quarantine', rows: fresh3 } as unknown as Batch });
    assert.deepEqual(await batchSummary(storeClient(s0), s0.database, 'quarantine', 'mg-q-new'), { rows: 3, checksum: written.checksum });
    const copied = await copyBatch({ store: s2.id, sources: [s1.id, s0.id], batchId: 'mg-q-new', table: 'quarantine' });
    assert.deepEqual(copied, { store: s2.id, batchId: 'mg-q-new', table: 'quarantine', rows: 3, checksum: written.checksum, source: s0.id, alreadyPresent: false });
    const onTarget = await batchRows(storeClient(s2), s2.database, 'quarantine', 'mg-q-new');
    assert.deepEqual(onTarget.map(({ batchId: _b, ingestTime: _i, ...row }) => row), fresh3);
    assert.ok(onTarget.every((r) => r.ingestTime > 0));
    assert.deepEqual(await batchSummary(storeClient(s2), s2.database, 'quarantine', 'mg-q-new'), { rows: 3, checksum: written.checksum });
    assert.equal((await copyBatch({ store: s2.id, sources: [s0.id], batchId: 'mg-q-new', table: 'quarantine' })).alreadyPresent, true);
    assert.equal((await tableDigest(storeClient(s2), s2.database, 'quarantine'))[0].rows, 6, 'old and new rows, once each');
  });
});
