import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DataType } from '../../src/domain/data-types';
import type { FundingRateRow, TickerRow } from '../../src/domain/rows';
import { batchRows, batchSummary } from '../../src/storage/batch-rows';
import { rowsChecksum } from '../../src/storage/checksum';
import { storeClient } from '../../src/storage/client';
import type { ColumnKind } from '../../src/storage/columns';
import { ledgerEntry, recordBatch } from '../../src/storage/ledger';
import { migrateStore } from '../../src/storage/migrate';
import { MIGRATIONS, type Migration } from '../../src/storage/migrations';
import { insertRows } from '../../src/storage/table-io';
import { MARKET_TABLES, NULLABLE_LAST_AND_FUNDING_TIME_VERSION, SCHEMA_TABLES, type TableDef } from '../../src/storage/tables';
import { sampleRows } from './sample-rows';
import { startTestStores, type TestStores } from './stores-fixture';
import { UNRECORDED_HASH } from '../../src/storage/records';

/**
 * Migration 6 on real stores that hold ticker and funding_rate as versions 4 and 5 left them: ticker.last
 * Decimal(38, 18) (a ticker without a last trade was quarantined) and funding_rate.funding_time UInt64 (0 when
 * the exchange gave none). Old rows keep their values and their ledger checksums; NULL round-trips. (A store
 * older than version 4 gets last Nullable(Decimal(38, 18)) from migration 4 already: migrate-decimals.test.ts.)
 */
const OLD_KINDS: Partial<Record<DataType, Record<string, ColumnKind>>> = { ticker: { last: 'decimal' }, funding_rate: { fundingTime: 'uint64' } };
const before6 = (def: TableDef): TableDef => {
  const kinds = OLD_KINDS[def.name as DataType];
  return kinds ? { ...def, fields: def.fields.map((f) => ({ ...f, kind: kinds[f.field] ?? f.kind })) } : def;
};
const OLD_BASELINE: Migration = {
  version: 1,
  name: MIGRATIONS[0].name,
  async up(ctx) {
    for (const def of SCHEMA_TABLES) await ctx.createTable(before6(def));
  },
};
// version 1 creates the tables as version 5 left them, so 2-5 find nothing to do (4 would convert to the current declaration)
const OLD_MIGRATIONS: Migration[] = [
  OLD_BASELINE,
  ...MIGRATIONS.filter((m) => m.version > 1 && m.version < NULLABLE_LAST_AND_FUNDING_TIME_VERSION).map((m) => ({ ...m, async up() {} })),
];
const OLD_TICKER = before6(MARKET_TABLES.ticker);
const OLD_FUNDING = before6(MARKET_TABLES.funding_rate);

const oldTickers: TickerRow[] = sampleRows('ticker', 4, 600).map((r, i) => ({ ...r, last: 42_000 + i }));
// the 0 that meant "the exchange does not say" before this migration stays 0: rows are not rewritten
const oldFunding: FundingRateRow[] = sampleRows('funding_rate', 4, 600).map((r, i) => ({ ...r, fundingTime: i % 2 ? 0 : r.eventTime + 3_600_000 }));
const nullTickers: TickerRow[] = sampleRows('ticker', 3, 900).map((r) => ({ ...r, last: null, bid: 41_999.5, ask: 42_000.5 }));
const nullFunding: FundingRateRow[] = sampleRows('funding_rate', 3, 900).map((r) => ({ ...r, fundingTime: null }));

async function columnTypes(store: TestStores['stores'][number], table: string, database = store.database): Promise<string[]> {
  const result = await storeClient(store).query({ query: `SELECT name, type FROM system.columns WHERE database = '${database}' AND table = '${table}'`, format: 'JSONEachRow' });
  return (await result.json<{ name: string; type: string }>()).map((c) => `${c.name} ${c.type}`);
}

async function sortingKey(store: TestStores['stores'][number], table: string, database = store.database): Promise<string> {
  const result = await storeClient(store).query({ query: `SELECT engine_full FROM system.tables WHERE database = '${database}' AND name = '${table}'`, format: 'JSONEachRow' });
  const [row] = await result.json<{ engine_full: string }>();
  return row.engine_full.replace(database, '<db>');
}

describe('migration 6: ticker.last and funding_rate.funding_time nullable, in place on stores with the earlier schema', () => {
  let stores: TestStores;
  before(async () => {
    stores = await startTestStores();
  });
  after(async () => {
    await stores?.stop();
  });

  it('migrates three old stores in place, twice, keeping old rows and their ledger checksums; NULLs round-trip', async () => {
    const checksums = { ticker: rowsChecksum(OLD_TICKER, oldTickers), funding: rowsChecksum(OLD_FUNDING, oldFunding) };
    await Promise.all(
      stores.stores.map(async (store) => {
        const client = storeClient(store);
        await migrateStore(client, store.database, OLD_MIGRATIONS);
        assert.ok((await columnTypes(store, 'ticker')).includes('last Decimal(38, 18)'));
        await insertRows(client, store.database, OLD_TICKER, oldTickers.map((r) => ({ ...r, batchId: 'ticker-old', ingestTime: Date.now() })));
        await insertRows(client, store.database, OLD_FUNDING, oldFunding.map((r) => ({ ...r, batchId: 'funding-old', ingestTime: Date.now() })));
        await recordBatch(client, store.database, { batchId: 'ticker-old', tableName: 'ticker', rows: oldTickers.length, checksum: checksums.ticker, hash: UNRECORDED_HASH });
        await recordBatch(client, store.database, { batchId: 'funding-old', tableName: 'funding_rate', rows: oldFunding.length, checksum: checksums.funding, hash: UNRECORDED_HASH });
      }),
    );
    // a migration interrupted after its first ALTER is finished by the next run
    const [, , interrupted] = stores.stores;
    await storeClient(interrupted).command({ query: `ALTER TABLE ${interrupted.database}.ticker MODIFY COLUMN last Nullable(Decimal(38, 18))` });

    for (const result of await Promise.all(stores.stores.map((s) => migrateStore(storeClient(s), s.database)))) {
      assert.ok(result.applied.some((m) => m.version === NULLABLE_LAST_AND_FUNDING_TIME_VERSION), JSON.stringify(result.applied));
    }
    for (const result of await Promise.all(stores.stores.map((s) => migrateStore(storeClient(s), s.database)))) assert.deepEqual(result.applied, []);

    // the migrated tables are the tables a fresh store gets: same columns, types, order and sorting key
    const fresh = stores.stores[0];
    await migrateStore(storeClient(fresh), 'fresh_v6');
    for (const table of ['ticker', 'funding_rate']) {
      const expected = await columnTypes(fresh, table, 'fresh_v6');
      for (const store of stores.stores) {
        assert.deepEqual(await columnTypes(store, table), expected, `${store.id} ${table}`);
        assert.equal(await sortingKey(store, table), await sortingKey(fresh, table, 'fresh_v6'));
      }
    }
    assert.ok((await columnTypes(fresh, 'ticker', 'fresh_v6')).includes('last Nullable(Decimal(38, 18))'));
    assert.ok((await columnTypes(fresh, 'funding_rate', 'fresh_v6')).includes('funding_time Nullable(UInt64)'));

    for (const store of stores.stores) {
      const client = storeClient(store);
      // old rows read back unchanged and still prove the checksums their ledger entries recorded
      for (const [table, batchId, rows] of [['ticker', 'ticker-old', oldTickers], ['funding_rate', 'funding-old', oldFunding]] as const) {
        const stored = await batchRows(client, store.database, table, batchId);
        // (through JSON, as rows travel: -0 becomes 0)
        const expected = (JSON.parse(JSON.stringify(rows)) as typeof rows).sort((a, b) => a.eventTime - b.eventTime);
        assert.deepEqual(stored.map(({ batchId: _b, ingestTime: _i, ...row }) => row).sort((a, b) => a.eventTime - b.eventTime), expected);
        assert.deepEqual(await batchSummary(client, store.database, table, batchId), { rows: rows.length, checksum: (await ledgerEntry(client, store.database, batchId))!.checksum });
        assert.equal(rowsChecksum(MARKET_TABLES[table], stored), (await ledgerEntry(client, store.database, batchId))!.checksum);
      }
      // what the exchange does not say is stored as NULL, never 0
      await insertRows(client, store.database, MARKET_TABLES.ticker, nullTickers.map((r) => ({ ...r, batchId: 'ticker-null', ingestTime: Date.now() })));
      await insertRows(client, store.database, MARKET_TABLES.funding_rate, nullFunding.map((r) => ({ ...r, batchId: 'funding-null', ingestTime: Date.now() })));
      const tickers = await batchRows(client, store.database, 'ticker', 'ticker-null');
      assert.deepEqual(tickers.map((r) => [r.last, r.bid, r.ask]), nullTickers.map(() => [null, 41_999.5, 42_000.5]));
      assert.deepEqual((await batchRows(client, store.database, 'funding_rate', 'funding-null')).map((r) => r.fundingTime), [null, null, null]);
      assert.deepEqual(await batchSummary(client, store.database, 'ticker', 'ticker-null'), { rows: 3, checksum: rowsChecksum(MARKET_TABLES.ticker, nullTickers) });
      assert.deepEqual(await batchSummary(client, store.database, 'funding_rate', 'funding-null'), { rows: 3, checksum: rowsChecksum(MARKET_TABLES.funding_rate, nullFunding) });
    }
  });
});
