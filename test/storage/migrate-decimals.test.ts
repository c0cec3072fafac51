import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { storageActivities } from '../../src/activities/storage';
import type { Batch, BatchTable } from '../../src/domain/batch';
import type { DataType } from '../../src/domain/data-types';
import type { RowOf } from '../../src/domain/rows';
import { batchSummary } from '../../src/storage/batch-rows';
import { canonicalRowText, rowsChecksum } from '../../src/storage/checksum';
import { storeClient } from '../../src/storage/client';
import { tableDigest } from '../../src/storage/consistency';
import { ledgerEntry, recordBatch } from '../../src/storage/ledger';
import { migrateStore } from '../../src/storage/migrate';
import { MIGRATIONS } from '../../src/storage/migrations';
import { insertRows, selectRows } from '../../src/storage/table-io';
import { EXACT_DECIMALS_VERSION, MARKET_TABLES } from '../../src/storage/tables';
import { startTestStores, type TestStores } from './stores-fixture';
import { V3_MARKET_TABLES, V3_MIGRATIONS } from './v3-schema';
import { UNRECORDED_HASH } from '../../src/storage/records';

/**
 * Migration 4 on real 18.16 stores holding the version 3 schema (Float64 prices, amounts and levels), written
 * the way the write path wrote them then: JSON numbers, ledger checksums over the IEEE bits of the doubles sent.
 * 18.16's Float64 text parser stores some of them one ULP off, so those batches do not match their ledger
 * entries and repair refuses them. After the migration every value is the decimal the write path sends today for
 * the double the store held, every ledger entry matches its rows as stored, on every store alike, and a batch one
 * store missed is copied to it and verifies.
 */
const DAY = Date.UTC(2037, 3, 4);
const base = (i: number) => ({ exchange: 'okx', marketType: 'swap' as const, symbol: 'MDX/USDT', nativeSymbol: 'MDX-USDT', eventTime: DAY + i * 1000, receiveTime: DAY + i * 1000 + 3 });
/** float arithmetic, never an exchange's text: more than 18 fractional digits */
const NOISY = 0.07 * 0.001;

const trades = (from: number, prices: number[], amounts: number[]): Array<RowOf<'trades'>> =>
  prices.map((price, i) => ({ ...base(from + i), tradeId: `md-${from + i}`, price, amount: amounts[i % amounts.length], side: 'buy', contractSize: null, baseAmount: null, quoteAmount: null }));

const BATCHES: Array<{ batchId: string; table: DataType; rows: object[]; missedBy?: number }> = [
  { batchId: 'md-trades-1', table: 'trades', rows: trades(0, [2.236, 1.118, 1.7091, 0.000001234, 1e-8, 42_000.5], [123456789.12345679, NOISY, 0.5]) },
  { batchId: 'md-trades-2', table: 'trades', rows: trades(10, [2.236, 5.432, 9.999], [1.1501, 2.5]), missedBy: 2 },
  {
    batchId: 'md-book-1',
    table: 'orderbook',
    rows: [{ ...base(20), bids: [[2.236, 123456789.12345679], [1e-8, NOISY]], asks: [], depth: 2 }],
  },
  {
    batchId: 'md-lsr-1',
    table: 'lsr_top_position',
    rows: [{ ...base(30), longShortRatio: 1.1501, longAccount: 0.5349, shortAccount: null, period: '5m' }],
  },
  {
    batchId: 'md-liq-1',
    table: 'liquidations',
    rows: [
      { ...base(40), side: null, price: null, amount: null, baseValue: 1.7091, liquidationId: 'md-liq-a' },
      { ...base(41), side: 'sell', price: 2.236, amount: 3, baseValue: null, liquidationId: 'md-liq-b' },
    ],
  },
  // ticker.last Float64 and funding_time UInt64 in version 3: 4 makes last Nullable(Decimal(38, 18)), 6 funding_time Nullable
  { batchId: 'md-ticker-1', table: 'ticker', rows: [{ ...base(50), last: 2.236, bid: 2.235, ask: null, baseVolume: 1e-8, quoteVolume: 1.1501 }] },
  { batchId: 'md-funding-1', table: 'funding_rate', rows: [{ ...base(60), fundingRate: 0.0001, fundingTime: DAY + 3_600_000, markPrice: 1.7091, indexPrice: null }] },
];

async function columnsOf(store: TestStores['stores'][number], table: string, database = store.database): Promise<string[]> {
  const result = await storeClient(store).query({ query: `SELECT name, type FROM system.columns WHERE database = '${database}' AND table = '${table}'`, format: 'JSONEachRow' });
  return (await result.json<{ name: string; type: string }>()).map((c) => `${c.name} ${c.type}`);
}

async function storedText(store: TestStores['stores'][number], table: string, column: string, where: string): Promise<string> {
  const result = await storeClient(store).query({ query: `SELECT toString(${column}) AS v FROM ${store.database}.${table} FINAL WHERE ${where}`, format: 'JSONEachRow' });
  const [row] = await result.json<{ v: string }>();
  return row.v;
}

describe('migration 4: Float64 prices, amounts and levels to exact Decimal(38, 18), in place on stores with the version 3 schema', () => {
  let stores: TestStores;
  before(async () => {
    stores = await startTestStores();
  });
  after(async () => {
    await stores?.stop();
  });

  it('converts three old stores, twice, one interrupted; values become exact decimals, ledgers match their rows, a missed batch is copied', async () => {
    const [s0, s1, s2] = stores.stores;
    const held = new Map<string, object[]>();
    await Promise.all(
      stores.stores.map(async (store, index) => {
        const client = storeClient(store);
        assert.deepEqual((await migrateStore(client, store.database, V3_MIGRATIONS)).version, 3);
        for (const b of BATCHES) {
          if (b.missedBy === index) continue;
          const def = V3_MARKET_TABLES[b.table];
          await insertRows(client, store.database, def, b.rows.map((r) => ({ ...r, batchId: b.batchId, ingestTime: DAY })));
          await recordBatch(client, store.database, { batchId: b.batchId, tableName: b.table, rows: b.rows.length, checksum: rowsChecksum(def, b.rows), hash: UNRECORDED_HASH });
        }
      }),
    );
    // what the issue saw: 18.16's Float64 parser stored 2.236 one ULP off, so the batch does not match its ledger entry
    assert.equal(await storedText(s0, 'trades', 'price', "trade_id = 'md-0'"), '2.2359999999999998');
    assert.notEqual((await batchSummary(storeClient(s0), s0.database, 'trades', 'md-trades-1')).checksum, (await ledgerEntry(storeClient(s0), s0.database, 'md-trades-1'))!.checksum);
    for (const b of BATCHES) {
      held.set(b.batchId, await selectRows(storeClient(s0), s0.database, V3_MARKET_TABLES[b.table], { where: `batch_id = '${b.batchId}'` }));
    }

    // an interrupted run: the first step of trades.price (to String) is done on the third store
    await storeClient(s2).command({ query: `ALTER TABLE ${s2.database}.trades MODIFY COLUMN price String` });

    const first = await Promise.all(stores.stores.map((s) => migrateStore(storeClient(s), s.database)));
    // 4 and every later one (ticker.last is Nullable(Decimal(38, 18)) after 4 already; 6 makes funding_time nullable)
    for (const result of first) assert.deepEqual(result.applied.map((m) => m.version), MIGRATIONS.filter((m) => m.version >= EXACT_DECIMALS_VERSION).map((m) => m.version));
    const second = await Promise.all(stores.stores.map((s) => migrateStore(storeClient(s), s.database)));
    for (const result of second) assert.deepEqual(result.applied, []);

    // the migrated tables are the tables a fresh store gets
    const fresh = await migrateStore(storeClient(s0), 'fresh_decimals');
    assert.deepEqual(fresh.applied.map((m) => m.version), MIGRATIONS.map((m) => m.version));
    for (const table of Object.keys(MARKET_TABLES)) {
      const expected = await columnsOf(s0, table, 'fresh_decimals');
      for (const store of stores.stores) assert.deepEqual(await columnsOf(store, table), expected, `${store.id} ${table}`);
    }
    assert.ok((await columnsOf(s0, 'orderbook')).includes('bids_price Array(Decimal(38, 18))'));
    assert.ok((await columnsOf(s0, 'ticker')).includes('last Nullable(Decimal(38, 18))'));
    assert.ok((await columnsOf(s0, 'funding_rate')).includes('funding_time Nullable(UInt64)'));
    assert.equal(await storedText(s1, 'ticker', 'last', '1'), '2.235999999999999800', 'misparsed by 18.16 in version 3: kept as held');
    assert.equal(await storedText(s1, 'funding_rate', 'funding_time', '1'), String(DAY + 3_600_000));

    // each value is the decimal the write path sends for the double the store held; exponent forms and
    // float noise beyond 18 fractional digits were rewritten in TS first
    assert.equal(await storedText(s2, 'trades', 'price', "trade_id = 'md-4'"), '0.00000001'.padEnd(20, '0'));
    assert.equal(await storedText(s1, 'trades', 'amount', "trade_id = 'md-1'"), '0.000070000000000000');
    assert.equal(await storedText(s1, 'trades', 'amount', "trade_id = 'md-0'"), '123456789.123456790000000000');
    assert.equal(await storedText(s1, 'orderbook', 'bids_amount', `event_time = ${DAY + 20_000}`), '[123456789.123456790000000000,0.000070000000000000]');
    assert.equal(await storedText(s0, 'lsr_top_position', 'long_short_ratio', '1'), '1.150100000000000100', 'misparsed by 18.16 in version 3: kept as held');
    for (const b of BATCHES) {
      const def = MARKET_TABLES[b.table];
      const before = held.get(b.batchId)!;
      for (const [index, store] of stores.stores.entries()) {
        if (b.missedBy === index) continue;
        const client = storeClient(store);
        const now = await selectRows<object>(client, store.database, def, { where: `batch_id = '${b.batchId}'` });
        assert.deepEqual(now.map((r) => canonicalRowText(def, r)), before.map((r) => canonicalRowText(def, r)), `${store.id} ${b.batchId}`);
        // the ledger entry is the checksum of the rows as stored, computed by the store; TS agrees over the rows read
        const entry = (await ledgerEntry(client, store.database, b.batchId))!;
        assert.deepEqual(await batchSummary(client, store.database, b.table as BatchTable, b.batchId), { rows: b.rows.length, checksum: entry.checksum });
        assert.equal(rowsChecksum(def, now), entry.checksum);
        assert.equal(entry.checksum, rowsChecksum(def, before), 'the same on every store');
      }
    }

    // the batch the third store missed is copied to it by repair and verifies
    const { copyBatch, insertBatch } = storageActivities(stores.config);
    const copied = await copyBatch({ store: s2.id, sources: [s0.id], batchId: 'md-trades-2', table: 'trades' });
    assert.equal(copied.alreadyPresent, false);
    assert.deepEqual(await batchSummary(storeClient(s2), s2.database, 'trades', 'md-trades-2'), { rows: 3, checksum: copied.checksum });
    for (const table of ['trades', 'orderbook', 'lsr_top_position', 'liquidations'] as const) {
      const digests = await Promise.all(stores.stores.map((s) => tableDigest(storeClient(s), s.database, table)));
      assert.deepEqual(digests[1], digests[0], table);
      assert.deepEqual(digests[2], digests[0], table);
    }

    // from now on 2.236 is stored as 2.236
    const fix = { batchId: 'md-trades-3', table: 'trades', rows: trades(50, [2.236, 1.7091], [1.1501]) } as Batch;
    await insertBatch({ store: s1.id, batch: fix });
    assert.equal(await storedText(s1, 'trades', 'price', "trade_id = 'md-50'"), '2.236000000000000000');
    assert.equal(await storedText(s1, 'trades', 'amount', "trade_id = 'md-51'"), '1.150100000000000000');
  });
});
