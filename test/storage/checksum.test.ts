import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DATA_TYPES } from '../../src/domain/data-types';
import { batchSummary } from '../../src/storage/batch-rows';
import { canonicalRowText, rowsChecksum } from '../../src/storage/checksum';
import { storeClient } from '../../src/storage/client';
import { migrateStore } from '../../src/storage/migrate';
import { insertRows } from '../../src/storage/table-io';
import { MARKET_TABLES } from '../../src/storage/tables';
import { sampleRows } from './sample-rows';
import { startTestStores, type TestStores } from './stores-fixture';

describe('row checksum (src/storage/checksum.ts): TS and ClickHouse SQL agree', () => {
  let stores: TestStores;
  before(async () => {
    stores = await startTestStores();
    const s = stores.stores[0];
    await migrateStore(storeClient(s), s.database);
  });
  after(async () => {
    await stores?.stop();
  });

  it('does not depend on row order, and changes when any field changes', () => {
    const rows = sampleRows('trades', 5);
    const def = MARKET_TABLES.trades;
    assert.equal(rowsChecksum(def, rows), rowsChecksum(def, [...rows].reverse()));
    assert.notEqual(rowsChecksum(def, rows), rowsChecksum(def, [{ ...rows[0], price: rows[0].price + 1e-9 }, ...rows.slice(1)]));
    assert.notEqual(rowsChecksum(def, rows), rowsChecksum(def, rows.slice(1)));
    assert.equal(rowsChecksum(def, []), '0');
    // stamps are not part of the checksum: the same rows have the same checksum in every store
    assert.equal(canonicalRowText(def, rows[0]), canonicalRowText(def, { ...rows[0], batchId: 'x', ingestTime: 1 }));
  });

  it('a field a migration added (liquidations.baseValue) drops out while NULL: rows written before it keep their checksum', () => {
    const def = MARKET_TABLES.liquidations;
    const [complete, deribit] = sampleRows('liquidations', 2);
    assert.equal(complete.baseValue, null);
    const v1 = { ...def, fields: def.fields.filter((f) => f.field !== 'baseValue') };
    assert.equal(canonicalRowText(def, complete), canonicalRowText(v1, complete));
    assert.notEqual(canonicalRowText(def, { ...complete, baseValue: 0 }), canonicalRowText(def, complete), 'a present 0 is not NULL');
    // NULL side and price are 'n', distinct from every string and number
    assert.match(canonicalRowText(def, deribit), /,n,n,n,[\d.]+,/);
    assert.notEqual(canonicalRowText(def, { ...deribit, side: '' }), canonicalRowText(def, deribit));
  });

  for (const type of DATA_TYPES) {
    it(`${type}: the store computes the same checksum over the stored rows`, async () => {
      const store = stores.stores[0];
      const client = storeClient(store);
      const def = MARKET_TABLES[type];
      const rows = sampleRows(type, 7);
      const batchId = `checksum-${type}`;
      await insertRows(client, store.database, def, rows.map((r) => ({ ...r, batchId, ingestTime: Date.now() })));
      const summary = await batchSummary(client, store.database, type, batchId);
      assert.deepEqual(summary, { rows: 7, checksum: rowsChecksum(def, rows) });
      assert.notEqual(summary.checksum, '0');
    });
  }
});
