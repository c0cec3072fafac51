import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { storageActivities } from '../../../src/activities/storage';
import type { Batch } from '../../../src/domain/batch';
import { DATA_TYPES, type DataType } from '../../../src/domain/data-types';
import { classify } from '../../../src/reliability/classify';
import { stopStore } from '../../../src/services/clickhouse';
import { batchRows, batchSummary } from '../../../src/storage/batch-rows';
import { rowsChecksum } from '../../../src/storage/checksum';
import { storeClient } from '../../../src/storage/client';
import { StoreUnavailableError } from '../../../src/storage/errors';
import { MIGRATIONS } from '../../../src/storage/migrations';
import { insertRows } from '../../../src/storage/table-io';
import { MARKET_TABLES } from '../../../src/storage/tables';
import { sampleRows } from '../../storage/sample-rows';
import { startTestStores, type TestStores } from '../../storage/stores-fixture';

function batchOf<T extends DataType>(table: T, n: number, offset = 0): Batch<T> {
  return { batchId: `${table}-test-${offset}`, table, rows: sampleRows(table, n, offset) } as Batch<T>;
}

/** What the rows look like after a trip through JSON (Temporal payloads): -0 becomes 0. */
function viaJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

async function countRows(stores: TestStores, storeIndex: number, sql: string): Promise<number> {
  const result = await storeClient(stores.stores[storeIndex]).query({ query: sql, format: 'JSONEachRow' });
  const [row] = await result.json<{ n: string }>();
  return Number(row.n);
}

describe('storage activities (src/activities/storage) against three real stores', () => {
  let stores: TestStores;
  let storage: ReturnType<typeof storageActivities>;
  before(async () => {
    stores = await startTestStores();
    storage = storageActivities(stores.config);
  });
  after(async () => {
    await stores?.stop();
  });

  it('migrate: applies the schema to each store (looked up by id in the config), then nothing', async () => {
    for (const s of stores.stores) {
      const first = await storage.migrate({ store: s.id });
      assert.equal(first.store, s.id);
      assert.deepEqual(first.applied.map((m) => m.version), MIGRATIONS.map((m) => m.version));
      assert.deepEqual((await storage.migrate({ store: s.id })).applied, []);
    }
  });

  for (const type of DATA_TYPES) {
    it(`insertBatch ${type}: every store holds it, reads back equal, ledger and store-side checksum match`, async () => {
      const batch = batchOf(type, 6);
      const before = Date.now();
      for (const [i, s] of stores.stores.entries()) {
        assert.equal(await storage.hasBatch({ store: s.id, batchId: batch.batchId }), false);
        const result = await storage.insertBatch({ store: s.id, batch });
        assert.deepEqual(result, { store: s.id, batchId: batch.batchId, table: type, rows: 6, checksum: rowsChecksum(MARKET_TABLES[type], batch.rows), alreadyPresent: false });
        assert.equal(await storage.hasBatch({ store: s.id, batchId: batch.batchId }), true);

        const stored = await batchRows(storeClient(s), s.database, type, batch.batchId);
        const expected = [...stored].map(({ batchId, ingestTime, ...row }) => {
          assert.equal(batchId, batch.batchId);
          assert.ok(ingestTime >= before && ingestTime <= Date.now(), `ingestTime ${ingestTime}`);
          return row;
        });
        const key = (r: object): string => JSON.stringify(r);
        assert.deepEqual(expected.map(key).sort(), viaJson(batch.rows).map(key).sort(), `store ${i} rows equal`);
        assert.deepEqual(await batchSummary(storeClient(s), s.database, type, batch.batchId), { rows: 6, checksum: result.checksum });
      }
    });
  }

  it('insertBatch twice: the second is a no-op counted once in the ledger, and FINAL shows no duplicates', async () => {
    const store = stores.stores[1];
    const batch = batchOf('trades', 5, 1);
    const first = await storage.insertBatch({ store: store.id, batch });
    const second = await storage.insertBatch({ store: store.id, batch });
    assert.equal(first.alreadyPresent, false);
    assert.deepEqual(second, { ...first, alreadyPresent: true });
    const where = `batch_id = '${batch.batchId}'`;
    assert.equal(await countRows(stores, 1, `SELECT count() AS n FROM ${store.database}.batches WHERE ${where}`), 1);
    assert.equal(await countRows(stores, 1, `SELECT count() AS n FROM ${store.database}.trades WHERE ${where}`), 5);

    // a crash between the rows and the ledger entry means the retry writes the rows again: FINAL absorbs them
    const stamped = batch.rows.map((r) => ({ ...r, batchId: batch.batchId, ingestTime: Date.now() }));
    await insertRows(storeClient(store), store.database, MARKET_TABLES.trades, stamped);
    assert.equal(await countRows(stores, 1, `SELECT count() AS n FROM ${store.database}.trades WHERE ${where}`), 10);
    assert.equal(await countRows(stores, 1, `SELECT count() AS n FROM ${store.database}.trades FINAL WHERE ${where}`), 5);
    assert.deepEqual(await batchSummary(storeClient(store), store.database, 'trades', batch.batchId), { rows: 5, checksum: first.checksum });
  });

  it('rejects bad input as a non-retryable bad_request failure, before touching the store', async () => {
    const batch = batchOf('trades', 2, 2);
    const bad = { ...batch, rows: [{ ...batch.rows[0], price: Number.NaN }] };
    await assert.rejects(storage.insertBatch({ store: 'primary', batch: bad }), (err: unknown) => {
      assert.ok(err instanceof ApplicationFailure);
      assert.equal(err.type, 'bad_request');
      assert.equal(err.nonRetryable, true);
      assert.match(err.message, /^trades row 0: price = NaN: expected a finite number$/);
      return true;
    });
    await assert.rejects(storage.insertBatch({ store: 'nope', batch }), /store 'nope' is not in the config \(have: primary, replica-1, replica-2\)/);
    await assert.rejects(storage.insertBatch({ store: 'primary', batch: { ...batch, batchId: "x'; DROP" } }), /batch id .* is not valid/);
    assert.equal(await storage.hasBatch({ store: 'primary', batchId: batch.batchId }), false);
  });

  it('storageActivities(config) serves the same activities over a given config', async () => {
    const acts = storageActivities(stores.config);
    const batch = batchOf('ticker', 3, 3);
    assert.equal((await acts.insertBatch({ store: 'replica-2', batch })).alreadyPresent, false);
    assert.equal(await acts.hasBatch({ store: 'replica-2', batchId: batch.batchId }), true);
    assert.deepEqual((await acts.migrate({ store: 'replica-2' })).applied, []);
  });

  it('a stopped store fails the insert with a connection error the reliability layer classifies', async () => {
    const store = stores.stores[2];
    await stopStore(store, stores.config.dataDir);
    await assert.rejects(storage.insertBatch({ store: store.id, batch: batchOf('trades', 2, 4) }), (err: unknown) => {
      assert.ok(err instanceof StoreUnavailableError, String(err));
      assert.equal(err.code, 'ECONNREFUSED');
      assert.equal(err.storeId, store.id);
      assert.match(err.message, new RegExp(`^store ${store.id} \\(${store.url}\\) is unreachable: .*ECONNREFUSED`));
      const c = classify(err);
      assert.equal(c.class, 'connection');
      assert.equal(c.retryable, true);
      assert.equal(c.dependencyFailure, true);
      return true;
    });
  });
});
