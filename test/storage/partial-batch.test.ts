import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load';
import { batchOf } from '../../src/exchange/batches';
import { storeClient } from '../../src/storage/client';
import { migrateStore } from '../../src/storage/migrate';
import { discardPartialBatch } from '../../src/storage/partial-batch';
import { insertRows } from '../../src/storage/table-io';
import { MARKET_TABLES } from '../../src/storage/tables';
import { writeBatch } from '../../src/storage/write-batch';
import { sampleRows } from './sample-rows';

/**
 * What a store holds of a batch whose staged rows were lost with their worker (issue 11, part 2): its ledger entry
 * (then it is a source to copy from), or rows an interrupted insert left without one, which are removed before the
 * batch is fetched again, on ClickHouse 18.16 as on current releases. Rows of other batches are never touched.
 */
describe('partial batches', () => {
  const store = loadConfig().stores[0];
  const database = 'partial_batch_test';
  const client = storeClient(store);
  const count = async (sql: string): Promise<number> => Number((await (await client.query({ query: sql, format: 'JSONEachRow' })).json<{ n: string }>())[0].n);
  const rowsOf = (batchId: string) => count(`SELECT toString(count()) AS n FROM ${database}.trades WHERE batch_id = '${batchId}'`);

  before(async () => {
    await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
    await migrateStore(client, database);
  });
  after(async () => {
    await client.command({ query: `DROP DATABASE IF EXISTS ${database}` });
  });

  it('a batch in the ledger is held, and left as it is', async () => {
    const batch = batchOf('trades', sampleRows('trades', 4, 1_000))!;
    await writeBatch(client, database, batch);
    assert.deepEqual(await discardPartialBatch(client, database, 'trades', batch.batchId), { holds: true, discarded: 0 });
    assert.equal(await rowsOf(batch.batchId), 4);
  });

  it('rows without a ledger entry are deleted (and only they); a batch with no rows is simply not held', async () => {
    const kept = batchOf('trades', sampleRows('trades', 3, 2_000))!;
    await writeBatch(client, database, kept);
    const partial = batchOf('trades', sampleRows('trades', 5, 3_000))!;
    // what an insert killed between rows and ledger entry leaves: the rows, stamped, and no entry
    await insertRows(client, database, MARKET_TABLES.trades, partial.rows.map((row) => ({ ...row, batchId: partial.batchId, ingestTime: Date.now() })));
    assert.equal(await rowsOf(partial.batchId), 5);
    assert.deepEqual(await discardPartialBatch(client, database, 'trades', partial.batchId), { holds: false, discarded: 5 });
    assert.equal(await rowsOf(partial.batchId), 0, 'the partial rows are gone when it returns');
    assert.equal(await rowsOf(kept.batchId), 3, 'the other batch keeps its rows');
    assert.deepEqual(await discardPartialBatch(client, database, 'trades', partial.batchId), { holds: false, discarded: 0 });
    // the batch written afterwards under the same id is complete: the deletion was of the rows before it
    assert.equal((await writeBatch(client, database, partial)).alreadyPresent, false);
    assert.equal(await rowsOf(partial.batchId), 5);
  });
});
