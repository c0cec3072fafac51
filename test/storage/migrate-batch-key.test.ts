import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BATCH_TABLES } from '../../src/domain/batch';
import type { TradeRow } from '../../src/domain/rows';
import { batchSummary } from '../../src/storage/batch-rows';
import { rowsChecksum } from '../../src/storage/checksum';
import { storeClient } from '../../src/storage/client';
import { tableDigest } from '../../src/storage/consistency';
import { createTableSql } from '../../src/storage/ddl';
import { ledgerEntry, recordBatch } from '../../src/storage/ledger';
import { migrateStore } from '../../src/storage/migrate';
import { MIGRATIONS } from '../../src/storage/migrations';
import { OLD_KEY_SUFFIX, REKEY_SUFFIX, rekeyTable } from '../../src/storage/rekey';
import { insertRows, selectRows } from '../../src/storage/table-io';
import { BATCH_ID_SORTING_KEY_VERSION, MARKET_TABLES } from '../../src/storage/tables';
import { BEFORE_BATCH_ID_KEY } from './natural-key-schema';
import { startTestStores, type TestStores } from './stores-fixture';
import { UNRECORDED_HASH } from '../../src/storage/records';

/**
 * Migration 5 on real stores that hold the batch tables as versions 1–4 left them: sorted on the natural key
 * alone. Two batches sharing a natural key (the example: A = {BTC 501, ETH 902}, B = {ETH 902, ETH 903})
 * are both still whole on disk as long as no merge ran; after the migration they stay whole through merges.
 * One store migrates normally (two runs at once), one was interrupted after its swap, one between its two renames.
 */
const BEFORE_5 = BEFORE_BATCH_ID_KEY;

/** 2037-05-01 and the day after: ETH 903 lands on the second day, so the copy runs over two day partitions. */
const DAY = Date.UTC(2037, 4, 1);
function trade(symbol: string, id: string, at: number, receivedAfter: number): TradeRow {
  return { exchange: 'okx', marketType: 'swap', symbol, nativeSymbol: symbol.replace('/', '-'), eventTime: at, receiveTime: at + receivedAfter, tradeId: id, price: 100 + Number(id) / 7, amount: 0.5, side: 'buy', contractSize: null, baseAmount: null, quoteAmount: null };
}
const A: TradeRow[] = [trade('BTC/USDT:USDT', '501', DAY + 1_000, 5), trade('ETH/USDT:USDT', '902', DAY + 2_000, 5)];
// B fetched ETH 902 again, later: same trade, another receive time
const B: TradeRow[] = [trade('ETH/USDT:USDT', '902', DAY + 2_000, 900), trade('ETH/USDT:USDT', '903', DAY + 86_400_000 + 3_000, 900)];

async function keyOf(store: TestStores['stores'][number], table: string, database = store.database): Promise<string | undefined> {
  const result = await storeClient(store).query({ query: `SELECT sorting_key FROM system.tables WHERE database = '${database}' AND name = '${table}'`, format: 'JSONEachRow' });
  return (await result.json<{ sorting_key: string }>())[0]?.sorting_key;
}

async function tableNames(store: TestStores['stores'][number]): Promise<string[]> {
  const result = await storeClient(store).query({ query: `SELECT name FROM system.tables WHERE database = '${store.database}' ORDER BY name`, format: 'JSONEachRow' });
  return (await result.json<{ name: string }>()).map((r) => r.name);
}

describe('migration 5: batch_id ends the sorting key of every batch table, on stores with the old key', () => {
  let stores: TestStores;
  before(async () => {
    stores = await startTestStores();
  });
  after(async () => {
    await stores?.stop();
  });

  it('rebuilds three old stores (two runs at once, interrupted after the swap, interrupted between renames); every batch verifies, also after merges', async () => {
    const [s0, s1, s2] = stores.stores;
    const db = (s: typeof s0): string => s.database;
    await Promise.all(
      stores.stores.map(async (store) => {
        const client = storeClient(store);
        await migrateStore(client, store.database, BEFORE_5);
        assert.equal(await keyOf(store, 'trades'), 'exchange, symbol, trade_id');
        // one insert, one part: no merge can collapse the two copies of ETH 902 before the migration runs
        await insertRows(client, store.database, MARKET_TABLES.trades, [...A.map((r) => ({ ...r, batchId: 'mbk-a', ingestTime: 1 })), ...B.map((r) => ({ ...r, batchId: 'mbk-b', ingestTime: 2 }))]);
        await recordBatch(client, store.database, { batchId: 'mbk-a', tableName: 'trades', rows: 2, checksum: rowsChecksum(MARKET_TABLES.trades, A), hash: UNRECORDED_HASH });
        await recordBatch(client, store.database, { batchId: 'mbk-b', tableName: 'trades', rows: 2, checksum: rowsChecksum(MARKET_TABLES.trades, B), hash: UNRECORDED_HASH });
      }),
    );

    // s1 was interrupted after its swap, with one day of two copied; s2 between its two renames
    const c1 = storeClient(s1);
    await c1.command({ query: createTableSql(db(s1), { ...MARKET_TABLES.trades, name: `trades${REKEY_SUFFIX}` }) });
    await c1.command({ query: `RENAME TABLE ${db(s1)}.trades TO ${db(s1)}.trades${OLD_KEY_SUFFIX}, ${db(s1)}.trades${REKEY_SUFFIX} TO ${db(s1)}.trades` });
    await c1.command({ query: `INSERT INTO ${db(s1)}.trades SELECT * FROM ${db(s1)}.trades${OLD_KEY_SUFFIX} WHERE event_time < ${DAY + 86_400_000}` });
    const c2 = storeClient(s2);
    await c2.command({ query: createTableSql(db(s2), { ...MARKET_TABLES.trades, name: `trades${REKEY_SUFFIX}` }) });
    await c2.command({ query: `RENAME TABLE ${db(s2)}.trades TO ${db(s2)}.trades${OLD_KEY_SUFFIX}` });
    assert.ok(!(await tableNames(s2)).includes('trades'));

    // s0: two runs at once (two workers starting together); either may lose a race and fail, a third run finishes
    const raced = await Promise.allSettled([migrateStore(storeClient(s0), db(s0)), migrateStore(storeClient(s0), db(s0))]);
    assert.ok(raced.some((r) => r.status === 'fulfilled'), JSON.stringify(raced));
    const later = MIGRATIONS.filter((m) => m.version >= BATCH_ID_SORTING_KEY_VERSION).map((m) => m.version);
    for (const store of [s1, s2]) assert.deepEqual((await migrateStore(storeClient(store), db(store))).applied.map((m) => m.version), later);
    for (const store of stores.stores) assert.deepEqual((await migrateStore(storeClient(store), db(store))).applied, []);

    // the rebuilt tables are what a fresh store gets; nothing is left behind
    const fresh = await migrateStore(storeClient(s0), 'fresh_batch_key');
    assert.equal(fresh.version, MIGRATIONS.at(-1)!.version);
    for (const store of stores.stores) {
      for (const table of BATCH_TABLES) assert.equal(await keyOf(store, table), await keyOf(s0, table, 'fresh_batch_key'), `${store.id} ${table}`);
      assert.equal(await keyOf(store, 'trades'), 'exchange, symbol, trade_id, batch_id');
      assert.deepEqual((await tableNames(store)).filter((n) => n.includes('__')), [], store.id);
    }

    for (const store of stores.stores) {
      const client = storeClient(store);
      // merges now keep a row per batch: force them all
      await client.command({ query: `OPTIMIZE TABLE ${db(store)}.trades FINAL` });
      for (const id of ['mbk-a', 'mbk-b']) {
        const entry = (await ledgerEntry(client, db(store), id))!;
        assert.deepEqual(await batchSummary(client, db(store), 'trades', id), { rows: entry.rows, checksum: entry.checksum }, `${store.id} ${id}`);
      }
      // one row per natural key for readers: ETH 902 once, the copy of the greatest batch id (B)
      const rows = await selectRows<TradeRow & { batchId: string }>(client, db(store), MARKET_TABLES.trades, { where: `event_time >= ${DAY}` });
      assert.deepEqual(rows.map((r) => `${r.tradeId}@${r.batchId}`), ['501@mbk-a', '902@mbk-b', '903@mbk-b'], store.id);
      const days = await tableDigest(client, db(store), 'trades', DAY);
      assert.deepEqual(days.map((d) => [d.day, d.rows]), [[20370501, 2], [20370502, 1]], store.id);
      assert.deepEqual(days, await tableDigest(storeClient(s0), db(s0), 'trades', DAY), `${store.id} digests as s0`);
    }
  });

  it('copies a day larger than the slice in several statements, every row once', async () => {
    const store = stores.stores[0];
    const client = storeClient(store);
    const database = 'rekey_slices';
    await migrateStore(client, database, BEFORE_5);
    const rows = Array.from({ length: 1_000 }, (_, i) => ({ ...trade('BTC/USDT:USDT', String(10_000 + i), DAY + i * 80_000, 5), batchId: `slice-${i % 7}`, ingestTime: 1 }));
    await insertRows(client, database, MARKET_TABLES.trades, rows);
    const result = await rekeyTable(client, database, MARKET_TABLES.trades, 'event_time', 100);
    assert.deepEqual({ ...result, statements: result.statements >= 10 }, { table: 'trades', rebuilt: true, rowsCopied: 1_000, days: 1, statements: true });
    const [stored] = await (await client.query({ query: `SELECT toString(count()) AS n, toString(uniqExact(trade_id)) AS ids FROM ${database}.trades`, format: 'JSONEachRow' })).json<{ n: string; ids: string }>();
    assert.deepEqual(stored, { n: '1000', ids: '1000' });
    assert.equal(await keyOf(store, 'trades', database), 'exchange, symbol, trade_id, batch_id');
    assert.deepEqual(await rekeyTable(client, database, MARKET_TABLES.trades, 'event_time', 100), { table: 'trades', rebuilt: false, rowsCopied: 0, days: 0, statements: 0 }, 'a second run has nothing to do');
  });
});
