import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startChdb } from '../support/chdb';
import { storageActivities } from '../../src/activities/storage';
import type { Config, StoreConfig } from '../../src/config/schema';
import { DATA_TYPES } from '../../src/domain/data-types';
import type { Batch } from '../../src/domain/batch';
import type { RowOf } from '../../src/domain/rows';
import { batchRows, batchSummary } from '../../src/storage/batch-rows';
import { rowsChecksum } from '../../src/storage/checksum';
import { storeClient } from '../../src/storage/client';
import { ledgerDigest, tableDigest } from '../../src/storage/consistency';
import { ledgerEntry, recordBatch } from '../../src/storage/ledger';
import { ledgerBatches } from '../../src/storage/ledger-diff';
import { migrateStore } from '../../src/storage/migrate';
import { MIGRATIONS } from '../../src/storage/migrations';
import { openAlerts } from '../../src/storage/open-alerts';
import { checkReplicas } from '../../src/storage/replica-check';
import { dayRowHashes, rowsByHash } from '../../src/storage/row-hashes';
import { insertRows, insertStatement, selectRows } from '../../src/storage/table-io';
import { ALERTS_TABLE, EXACT_DECIMALS_VERSION, MARKET_TABLES, partitionIdForDay, SCHEMA_TABLES, SCHEMA_MIGRATIONS_TABLE } from '../../src/storage/tables';
import { sampleRows } from './sample-rows';
import { startTestStores, type TestStores } from './stores-fixture';
import { V3_MARKET_TABLES, V3_MIGRATIONS } from './v3-schema';
import { UNRECORDED_HASH } from '../../src/storage/records';

/**
 * The same code against ClickHouse 18.16 (Debian's server, as everywhere else in the suite) and a current release
 * (26.x, embedded by PyPI's chdb-core behind ClickHouse's HTTP interface: test/support/chdb_server.py). Every
 * migration, the insert path (the very JSONEachRow bodies @clickhouse/client sends) and every query the project
 * issues run on both. Where the two differ, the tests below say how the project handles it:
 * - joined subqueries need an alias on current releases (the ledger recomputation of migration 4 gives them one);
 * - a Decimal prints all 18 fractional digits on 18.16 and none extra on current releases: checksums normalize it;
 * - a JSON number with more than 18 fractional digits is refused by 18.16 and truncated by current releases: the
 *   encoder rounds it first, so both hold the same value;
 * - ALTER MODIFY / UPDATE are synchronous-ish on 18.16 and mutations on current releases: the migration waits;
 * - 18.16's Float64 text parser lands one ULP off where the current one does not: version 3 data differs between
 *   them, and after migration 4 each store's ledger matches its own rows (replicas check reports the difference);
 * - 18.16 quotes UInt64 in JSON output, current releases print bare numbers, which JSON.parse rounds: the ledger
 *   checksum is selected as text (this test found a repair of a batch from a current release failing on it);
 * - system.columns has no `position` column on 18.16 (this test compares columns in the order both list them).
 */
const DAY = Date.UTC(2038, 6, 7);


async function columnsOf(store: StoreConfig, table: string, database = store.database): Promise<string[]> {
  const result = await storeClient(store).query({ query: `SELECT name, type FROM system.columns WHERE database = '${database}' AND table = '${table}'`, format: 'JSONEachRow' });
  return (await result.json<{ name: string; type: string }>()).map((c) => `${c.name} ${c.type}`);
}

async function text(store: StoreConfig, sql: string): Promise<string> {
  const result = await storeClient(store).query({ query: sql, format: 'JSONEachRow' });
  const [row] = await result.json<{ v: string }>();
  return row.v;
}

const base = (i: number) => ({ exchange: 'okx', marketType: 'swap' as const, symbol: 'CRX/USDT', nativeSymbol: 'CRX-USDT', eventTime: DAY + i * 1000, receiveTime: DAY + i * 1000 + 9 });
const issueTrades = (from: number): Array<RowOf<'trades'>> =>
  [2.236, 1.118, 1.7091, 0.000001234, 1e-8, 0.07 * 0.001].map((price, i) => ({ ...base(from + i), tradeId: `cr-${from + i}`, price, amount: [123456789.12345679, 1.1501][i % 2], side: 'buy', contractSize: null, baseAmount: null, quoteAmount: null }));

describe('ClickHouse 18.16 and a current release (chdb-core) run the same migrations, inserts and queries', () => {
  let stores: TestStores;
  let chdb: { child: ChildProcess; port: number } | undefined;
  let chdbReady: Promise<{ child: ChildProcess; port: number }> | undefined;
  let dir: string;
  let old: StoreConfig;
  let current: StoreConfig;
  let config: Config;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'marketprism-chdb-'));
    // each assigned as soon as it is up, so that after() stops whatever started even if the other failed
    chdbReady = startChdb(path.join(dir, 'data'));
    [stores, chdb] = await Promise.all([startTestStores(), chdbReady]);
    old = stores.stores[0];
    current = { ...old, id: 'current', url: `http://127.0.0.1:${chdb.port}` };
    config = { ...stores.config, stores: [old, current] };
    const result = await storeClient(current).query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
    assert.match((await result.json<{ v: string }>())[0].v, /^2[4-9]\.|^[3-9]\d\./, 'a current release');
  });
  after(async () => {
    (chdb ?? (await chdbReady?.catch(() => undefined)))?.child.kill();
    await stores?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('every migration applies to an empty store and gives the same tables as on 18.16', async () => {
    for (const store of [old, current]) {
      assert.deepEqual((await migrateStore(storeClient(store), store.database)).applied.map((m) => m.version), MIGRATIONS.map((m) => m.version));
      assert.deepEqual((await migrateStore(storeClient(store), store.database)).applied, []);
    }
    for (const def of [...SCHEMA_TABLES, SCHEMA_MIGRATIONS_TABLE]) assert.deepEqual(await columnsOf(current, def.name), await columnsOf(old, def.name), def.name);
    // the store fills applied_at (an INSERT naming its columns gets the DEFAULT on both; 18.16 gave an INSERT
    // that did not name them the zero date)
    for (const store of [old, current]) {
      const applied = await selectRows<{ appliedAt: number }>(storeClient(store), store.database, SCHEMA_MIGRATIONS_TABLE);
      assert.ok(applied.every((m) => m.appliedAt > Date.UTC(2020, 0, 1)), `${store.id} ${JSON.stringify(applied)}`);
    }
  });

  it('migration 4 converts a version 3 store on both; each ledger matches its own rows', async () => {
    const rows = issueTrades(0);
    for (const store of [old, current]) {
      const client = storeClient(store);
      await migrateStore(client, 'v3', V3_MIGRATIONS);
      await insertRows(client, 'v3', V3_MARKET_TABLES.trades, rows.map((r) => ({ ...r, batchId: 'cr-v3', ingestTime: DAY })));
      await recordBatch(client, 'v3', { batchId: 'cr-v3', tableName: 'trades', rows: rows.length, checksum: rowsChecksum(V3_MARKET_TABLES.trades, rows), hash: UNRECORDED_HASH });
    }
    // 18.16 parses 2.236 one ULP off; the current release in this context does not
    assert.equal(await text(old, "SELECT toString(price) AS v FROM v3.trades WHERE trade_id = 'cr-0'"), '2.2359999999999998');
    assert.equal(await text(current, "SELECT toString(price) AS v FROM v3.trades WHERE trade_id = 'cr-0'"), '2.236');

    for (const store of [old, current]) {
      const client = storeClient(store);
      assert.deepEqual((await migrateStore(client, 'v3')).applied.map((m) => m.version), MIGRATIONS.filter((m) => m.version >= EXACT_DECIMALS_VERSION).map((m) => m.version));
      for (const table of ['trades', 'ticker', 'funding_rate']) assert.deepEqual(await columnsOf(store, table, 'v3'), await columnsOf(store, table), `${store.id} ${table}`);
      const entry = await ledgerEntry(client, 'v3', 'cr-v3');
      assert.deepEqual(await batchSummary(client, 'v3', 'trades', 'cr-v3'), { rows: rows.length, checksum: entry!.checksum }, store.id);
      // float noise beyond 18 fractional digits became what the encoder sends today
      assert.equal(await text(store, "SELECT toString(toFloat64(price)) AS v FROM v3.trades WHERE trade_id = 'cr-5'"), '0.00007');
    }
    assert.equal(
      (await ledgerEntry(storeClient(current), 'v3', 'cr-v3'))!.checksum,
      rowsChecksum(MARKET_TABLES.trades, rows),
      'the current release held the exchange\'s values, so its recomputed checksum is the one of the values sent',
    );
  });

  it('the insert path and every query agree on both: batches of every data type, ledgers, digests, row differences, copies, alerts', async () => {
    const { insertBatch, copyBatch, missingBatches, storeHealth } = storageActivities(config);
    for (const s of [old, current]) assert.deepEqual(await storeHealth({ store: s.id }), { store: s.id, healthy: true });
    const batches: Batch[] = [
      { batchId: 'cr-issue', table: 'trades', rows: issueTrades(10) } as Batch,
      ...DATA_TYPES.map((t) => ({ batchId: `cr-${t}`, table: t, rows: sampleRows(t, 4, 70_000_000).map((r) => ({ ...r, eventTime: DAY + r.eventTime % 86_400_000 })) }) as Batch),
    ];
    for (const batch of batches) {
      const results = await Promise.all([old, current].map((s) => insertBatch({ store: s.id, batch })));
      assert.equal(results[0].checksum, results[1].checksum, batch.batchId);
      for (const s of [old, current]) {
        const client = storeClient(s);
        assert.deepEqual(await batchSummary(client, s.database, batch.table, batch.batchId), { rows: batch.rows.length, checksum: results[0].checksum }, `${s.id} ${batch.batchId}`);
        const back = await batchRows(client, s.database, batch.table, batch.batchId);
        assert.equal(rowsChecksum(MARKET_TABLES[batch.table as keyof typeof MARKET_TABLES], back), results[0].checksum, `${s.id} ${batch.batchId} read back`);
      }
    }
    // the printed Decimal differs, the checksum text does not
    assert.equal(await text(old, `SELECT toString(price) AS v FROM ${old.database}.trades WHERE trade_id = 'cr-10'`), '2.236000000000000000');
    assert.equal(await text(current, `SELECT toString(price) AS v FROM ${current.database}.trades WHERE trade_id = 'cr-10'`), '2.236');
    // the body both received: exact decimals, no exponent, the float noise already rounded by the encoder
    const { query, body } = insertStatement('db', MARKET_TABLES.trades, issueTrades(10).map((r) => ({ ...r, batchId: 'b', ingestTime: 1 })));
    assert.match(query, /^INSERT INTO db\.trades \(exchange, .*, batch_id, ingest_time\) FORMAT JSONEachRow$/);
    assert.match(body, /"price":0\.00000001,/);
    assert.match(body, /"price":0\.00007,"amount":1\.1501/);

    assert.deepEqual(await ledgerBatches(storeClient(current), current.database), await ledgerBatches(storeClient(old), old.database));
    const since = Date.now() - 10 * 60_000;
    const [ledgerOld, ledgerCurrent] = await Promise.all([old, current].map((s) => ledgerDigest(storeClient(s), s.database, 'trades', since)));
    assert.deepEqual(ledgerCurrent, ledgerOld);
    assert.ok(ledgerOld.rows >= 2, 'entries written just now count as written since 10 minutes ago');
    const check = await checkReplicas(config, { sinceMs: DAY });
    assert.equal(check.identical, true, JSON.stringify(check.tables.filter((t) => !t.identical)));

    // a row only one store holds, and a value that differs: found by key on both
    const day = partitionIdForDay(DAY);
    await insertRows(storeClient(current), current.database, MARKET_TABLES.trades, [{ ...issueTrades(30)[0], batchId: 'by-hand', ingestTime: DAY }]);
    const differs = await checkReplicas(config, { table: 'trades', sinceMs: DAY, rows: 10 });
    assert.equal(differs.identical, false);
    const rowsDiff = differs.tables.find((t) => t.table === 'trades')!.differences.find((d) => d.day === day)!.rows!;
    assert.deepEqual(rowsDiff.map((r) => [r.key, r.stores[old.id]]), [[{ exchange: 'okx', symbol: 'CRX/USDT', trade_id: 'cr-30' }, null]]);
    const hashes = await dayRowHashes(storeClient(current), current.database, 'trades', day, "trade_id = 'cr-30'");
    assert.deepEqual(await rowsByHash(storeClient(old), old.database, 'trades', day, hashes), []);
    assert.equal((await rowsByHash<{ tradeId: string }>(storeClient(current), current.database, 'trades', day, hashes))[0].tradeId, 'cr-30');

    // a batch only 18.16 holds is copied to the current release, and the other way round
    for (const [from, to, id] of [[old, current, 'cr-only-old'], [current, old, 'cr-only-current']] as const) {
      await insertBatch({ store: from.id, batch: { batchId: id, table: 'trades', rows: issueTrades(id.length * 3) } as Batch });
      assert.deepEqual((await missingBatches({ store: to.id, sources: [from.id], limit: 10 })).batches, [{ batchId: id, table: 'trades' }]);
      const copied = await copyBatch({ store: to.id, sources: [from.id], batchId: id, table: 'trades' });
      assert.equal(copied.alreadyPresent, false);
      assert.deepEqual(await batchSummary(storeClient(to), to.database, 'trades', id), { rows: 6, checksum: copied.checksum });
    }

    // alerts are written and read the same way
    for (const s of [old, current]) {
      await insertRows(storeClient(s), s.database, ALERTS_TABLE, [{ key: `cr-alert-${s.id}`, severity: 'warning', source: 'test', message: 'm', raisedAt: 1, resolvedAt: 0, state: 'open', updatedAt: 1 }]);
    }
    const { alerts, unreachable } = await openAlerts(config);
    assert.deepEqual(unreachable, []);
    assert.deepEqual(alerts.map((a) => a.key).filter((k) => k.startsWith('cr-alert-')).sort(), ['cr-alert-current', `cr-alert-${old.id}`].sort());
    assert.deepEqual(await tableDigest(storeClient(current), current.database, 'orderbook', DAY), await tableDigest(storeClient(old), old.database, 'orderbook', DAY));
  });
});
