import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load';
import { batchOf } from '../../src/exchange/batches';
import { storeClient } from '../../src/storage/client';
import { insertCounter } from '../../src/storage/insert-coalescer';
import { ledgerEntry } from '../../src/storage/ledger';
import { migrateStore } from '../../src/storage/migrate';
import { writeBatch } from '../../src/storage/write-batch';
import { sampleRows } from './sample-rows';

/**
 * Inserts sized for ClickHouse (issue 11): batches written to one store and table while an insert runs go together
 * in the next one, each still with its own ledger entry; a batch written to an idle table goes at once.
 */
describe('insert coalescing', () => {
  const store = loadConfig().stores[0];
  const database = 'coalesce_test';
  const client = storeClient(store);

  before(async () => {
    await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await migrateStore(client, database);
  });
  after(async () => {
    await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  });

  const count = async (sql: string): Promise<number> => Number((await (await client.query({ query: sql, format: 'JSONEachRow' })).json<{ n: string }>())[0].n);

  it('merges batches that arrive together into few inserts, each batch with its ledger entry and rows', async () => {
    const batches = Array.from({ length: 12 }, (_, i) => batchOf('trades', sampleRows('trades', 5, 1_000 * (i + 1)))!);
    const before = insertCounter.inserts;
    const written = await Promise.all(batches.map((b) => writeBatch(client, database, b)));
    const inserts = insertCounter.inserts - before;
    assert.ok(inserts >= 1 && inserts <= 2, `12 batches at once went in ${inserts} inserts (the first at once, the rest together)`);
    assert.ok(written.every((w) => !w.alreadyPresent && w.rows === 5));
    for (const [i, b] of batches.entries()) {
      const entry = await ledgerEntry(client, database, b.batchId);
      assert.equal(entry?.rows, 5);
      assert.equal(entry?.checksum, written[i].checksum);
      assert.equal(entry?.tableName, 'trades');
      assert.equal(await count(`SELECT toString(count()) AS n FROM ${database}.trades WHERE batch_id = '${b.batchId}'`), 5);
    }

    // a batch already held: nothing is sent
    const again = insertCounter.inserts;
    assert.equal((await writeBatch(client, database, batches[3])).alreadyPresent, true);
    assert.equal(insertCounter.inserts, again);
  });

  it('keeps bookkeeping batches in their own table and ledger entries', async () => {
    const gaps = batchOf('collection_gaps', [{ exchange: 'okx', dataType: 'trades', symbol: 'BTC/USDT', fromTime: 1, toTime: 2, reason: 'test', detectedAt: 3 }])!;
    await writeBatch(client, database, gaps);
    assert.equal((await ledgerEntry(client, database, gaps.batchId))?.tableName, 'collection_gaps');
    assert.equal(await count(`SELECT toString(count()) AS n FROM ${database}.collection_gaps WHERE batch_id = '${gaps.batchId}'`), 1);
  });
});
