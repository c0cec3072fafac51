import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load';
import type { StoreConfig } from '../../src/config/schema';
import { BATCH_TABLES, type BatchTable } from '../../src/domain/batch';
import { DATA_TYPES, type DataType } from '../../src/domain/data-types';
import { batchTableDef } from '../../src/storage/batch-tables';
import { cheapHashExpr, rowCheapHash, rowsCheapHash } from '../../src/storage/cheap-hash';
import { cityHash64, hash128to64, intHash64 } from '../../src/storage/city-hash';
import { closeStoreClients, storeClient } from '../../src/storage/client';
import { createDatabaseSql, createTableSql } from '../../src/storage/ddl';
import { decimalText } from '../../src/storage/decimal-text';
import { migrateStore } from '../../src/storage/migrate';
import { insertRows } from '../../src/storage/table-io';
import { BATCHES_TABLE, MARKET_TABLES, type TableDef, type TableField } from '../../src/storage/tables';
import { startChdb } from '../support/chdb';
import { sampleRows } from './sample-rows';
import { V3_MARKET_TABLES } from './v3-schema';

/**
 * The cheap hash computed in TS before insert (rowCheapHash / rowsCheapHash, src/storage/cheap-hash.ts) is the SQL
 * sum(cheapHashExpr(def)) the stores compute over the stored rows, on ClickHouse 18.16 (the test stack's store)
 * and on a current release (chdb-core, as test/backup/native.test.ts): for every batch table, with one batch per
 * edge case (every CityHash64 length branch, decimals whose bytes end in zeros, NULLs, empty books, integers at
 * their bounds, a row written before a migration added a field), and for the legacy Float64 kinds and 64-bit
 * hashes. The CityHash64 primitives are checked against values the servers compute, never against constants.
 */

const MOD = 2n ** 64n;

const bookkeeping: Record<Exclude<BatchTable, DataType>, (i: number) => Record<string, unknown>> = {
  quarantine: (i) => ({ exchange: 'okx', dataType: 'trades', symbol: 'BTC/USDT', reason: `bad ✓ ${i}`, raw: `{"i":${i}}`, receivedAt: 1_700_000_000_000 + i }),
  collection_gaps: (i) => ({ exchange: 'okx', dataType: 'trades', symbol: 'BTC/USDT', fromTime: i, toTime: i + 10, reason: 'test', detectedAt: 1_700_000_000_000 + i }),
};

function rowsOf(table: BatchTable, n: number, offset: number): Array<Record<string, unknown>> {
  if ((DATA_TYPES as readonly string[]).includes(table)) return sampleRows(table as DataType, n, offset) as unknown as Array<Record<string, unknown>>;
  return Array.from({ length: n }, (_, i) => bookkeeping[table as keyof typeof bookkeeping](offset + i));
}

/** A string of exactly `bytes` UTF-8 bytes: ASCII only, or 2-, 3- and 4-byte characters first. */
function textOfBytes(bytes: number, multiByte: boolean): string {
  let s = '';
  let n = 0;
  const wide = ['é', '✓', '𝄞'];
  for (let k = 0; multiByte; k++) {
    const c = wide[k % wide.length];
    if (n + Buffer.byteLength(c) > bytes) break;
    s += c;
    n += Buffer.byteLength(c);
  }
  for (; n < bytes; n++) s += String.fromCharCode(33 + ((n * 7 + bytes) % 94));
  return s;
}

/**
 * String lengths in bytes: every CityHash64 branch (0..200), and longer ones in growing order, each the first of its
 * size in the process, so the TS side's buffer for UTF-8 bytes grows while a hash is computed (a quarantined
 * exchange response is thousands of bytes).
 */
const STRING_BYTES = [...Array.from({ length: 201 }, (_, n) => n), 341, 342, 700, 1500, 3000, 6000, 13_000];

/** Decimals whose stored bytes take every path: zero, signs, 1 to 16 bytes kept, rounding, 20 integer digits. */
const DECIMALS = [
  0, -0, 1, -1, 1e-18, -1e-18, 255e-18, 256e-18, 65536e-18, 2 ** 32 * 1e-18, 1e-8, 2.5137e-8, 0.07 * 0.001, 2 ** -30, -0.000125, 0.1 + 0.2, 0.5,
  42_000.5, 123456789.12345679, 12345678901234567, 1e19, -1e19, 99999999999999980000, -99999999999999980000,
];
/** Float64 values both servers parse exactly from JSON (short texts: 18.16's parser can land one ULP off on long ones). */
const FLOATS = [0, -0, 1.5, -1.5, 0.25, 2 ** -10, 42_000.25, 1e15];

/** Fields the rows' partitions are computed from: left alone, so a batch of edge cases stays in a few partitions. */
const PARTITION_FIELDS = new Set(['eventTime', 'fromTime', 'receivedAt']);

/** One row per edge case (label, row), each a variant of `base` for the fields of `def` the case is about. */
function edgeCases(def: TableDef, base: Record<string, unknown>): Array<[string, Record<string, unknown>]> {
  const out: Array<[string, Record<string, unknown>]> = [];
  const fieldsOf = (kinds: readonly string[]): TableField[] => def.fields.filter((f) => kinds.includes(f.kind) && !PARTITION_FIELDS.has(f.field));
  const variant = (label: string, kinds: readonly string[], value: (f: TableField) => unknown): void => {
    const fields = fieldsOf(kinds);
    if (fields.length === 0) return;
    const row = { ...base };
    for (const f of fields) row[f.field] = value(f);
    out.push([label, row]);
  };
  for (const n of STRING_BYTES) {
    variant(`ASCII strings of ${n} bytes`, ['string', 'nullableString'], () => textOfBytes(n, false));
    variant(`UTF-8 strings of ${n} bytes`, ['string', 'nullableString'], () => textOfBytes(n, true));
  }
  for (const v of DECIMALS) variant(`decimals ${v}`, ['decimal', 'nullableDecimal', 'levels'], (f) => (f.kind === 'levels' ? [[v, v], [-v, 1]] : v));
  for (const v of FLOATS) variant(`floats ${v}`, ['float64', 'nullableFloat64', 'floatLevels'], (f) => (f.kind === 'floatLevels' ? [[v, v], [-v, 1]] : v));
  variant('every nullable field NULL', ['nullableString', 'nullableDecimal', 'nullableUint64', 'nullableFloat64'], () => null);
  variant('every nullable field 0 or empty, not NULL', ['nullableString', 'nullableDecimal', 'nullableUint64', 'nullableFloat64'], (f) => (f.kind === 'nullableString' ? '' : 0));
  variant('empty order book', ['levels', 'floatLevels'], () => []);
  variant('deep order book', ['levels', 'floatLevels'], (f) => Array.from({ length: 40 }, (_, i) => [100 + i / 8, f.kind === 'levels' ? 2 ** -i : (i + 1) / 4]));
  variant('integers 0', ['uint32', 'uint64', 'nullableUint64'], () => 0);
  variant('integers at their bounds', ['uint32', 'uint64', 'nullableUint64'], (f) => (f.kind === 'uint32' ? 2 ** 32 - 1 : Number.MAX_SAFE_INTEGER));
  const added = def.fields.filter((f) => f.addedIn !== undefined);
  if (added.length) {
    const before = { ...base };
    for (const f of added) delete before[f.field];
    out.push(['a row without the fields a migration added', before]);
  }
  return out;
}

/** Batches for a table: three of sample rows (sums of several rows) and one per edge case. */
function batchesOf(def: TableDef, prefix: string, base: Record<string, unknown>, samples: (b: number) => Array<Record<string, unknown>>) {
  const batches: Array<{ batchId: string; label: string; rows: Array<Record<string, unknown>> }> = [];
  for (let b = 0; b < 3; b++) batches.push({ batchId: `${prefix}-sample-${b}`, label: `7 sample rows (${b})`, rows: samples(b) });
  edgeCases(def, base).forEach(([label, row], i) => batches.push({ batchId: `${prefix}-edge-${i}`, label, rows: [row] }));
  return batches;
}

async function one<T>(store: StoreConfig, query: string): Promise<T> {
  const result = await storeClient(store).query({ query, format: 'JSONEachRow', clickhouse_settings: { max_query_size: '10000000' } });
  return (await result.json<T>())[0];
}

/** The store's sum(cheapHashExpr(def)) and row count per batch id. */
async function storedHashes(store: StoreConfig, database: string, def: TableDef): Promise<Map<string, { hash: string; rows: number }>> {
  const query = `SELECT batch_id, toString(sum(${cheapHashExpr(def)})) AS h, toString(count()) AS n FROM ${database}.${def.name} GROUP BY batch_id`;
  const result = await storeClient(store).query({ query, format: 'JSONEachRow' });
  return new Map((await result.json<{ batch_id: string; h: string; n: string }>()).map((r) => [r.batch_id, { hash: r.h, rows: Number(r.n) }]));
}

/** Writes the batches, then lists every batch whose stored sum or row count differs from TS. */
async function mismatches(store: StoreConfig, database: string, def: TableDef, batches: ReturnType<typeof batchesOf>): Promise<string[]> {
  await insertRows(storeClient(store), database, def, batches.flatMap((b) => b.rows.map((r) => ({ ...r, batchId: b.batchId, ingestTime: 1_700_000_000_000 }))));
  const stored = await storedHashes(store, database, def);
  const bad: string[] = [];
  for (const b of batches) {
    const expected = { hash: rowsCheapHash(def, b.rows), rows: b.rows.length };
    const got = stored.get(b.batchId);
    if (got?.hash !== expected.hash || got.rows !== expected.rows) bad.push(`${def.name}, ${b.label}: store ${JSON.stringify(got)}, TS ${JSON.stringify(expected)}`);
  }
  return bad;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('cheap hash (src/storage/cheap-hash.ts, src/storage/city-hash.ts): TS equals sum(cityHash64(…)) on 18.16 and a current release', () => {
  const old = loadConfig().stores[0];
  const database = 'cheap_hash_test';
  const legacy = 'cheap_hash_v3';
  let current: StoreConfig;
  let chdb: { child: ChildProcess; port: number } | undefined;
  let chdbReady: Promise<{ child: ChildProcess; port: number }> | undefined;
  const chdbDir = mkdtempSync(path.join(os.tmpdir(), 'mp-cheap-hash-chdb-'));
  const servers = (): Array<[string, StoreConfig]> => [
    ['18.16', old],
    ['current release', current],
  ];

  before(async () => {
    chdbReady = startChdb(path.join(chdbDir, 'data'));
    chdb = await chdbReady;
    current = { ...old, id: 'current', url: `http://127.0.0.1:${chdb.port}` };
    for (const [, store] of servers()) {
      const client = storeClient(store);
      for (const db of [database, legacy]) await client.command({ query: `DROP DATABASE IF EXISTS ${db}` });
      await migrateStore(client, database);
      await client.command({ query: createDatabaseSql(legacy) });
      for (const def of Object.values(V3_MARKET_TABLES)) await client.command({ query: createTableSql(legacy, def) });
    }
  });
  after(async () => {
    for (const db of [database, legacy]) await storeClient(old).command({ query: `DROP DATABASE IF EXISTS ${db}` });
    (chdb ?? (await chdbReady?.catch(() => undefined)))?.child.kill();
    await closeStoreClients();
    rmSync(chdbDir, { recursive: true, force: true });
  });

  it('sums mod 2^64 in any order, "0" for no rows; NULL, undefined and a missing added field are one value; stamps are not hashed', () => {
    const def = MARKET_TABLES.trades;
    const rows = sampleRows('trades', 9);
    const sum = rows.reduce((s, r) => (s + rowCheapHash(def, r)) % MOD, 0n);
    assert.equal(rowsCheapHash(def, rows), sum.toString());
    assert.equal(rowsCheapHash(def, [...rows].reverse()), sum.toString());
    assert.equal(rowsCheapHash(def, []), '0');
    const [row] = rows;
    assert.equal(rowCheapHash(def, { ...row, batchId: 'x', ingestTime: 1 }), rowCheapHash(def, row));
    const spot = { ...row, contractSize: null, baseAmount: null, quoteAmount: null };
    const older: Record<string, unknown> = { ...spot };
    for (const f of def.fields.filter((x) => x.addedIn !== undefined)) delete older[f.field];
    assert.equal(rowCheapHash(def, older), rowCheapHash(def, spot));
    assert.equal(rowCheapHash(def, { ...spot, baseAmount: undefined }), rowCheapHash(def, spot));
    assert.notEqual(rowCheapHash(def, { ...spot, baseAmount: 0 }), rowCheapHash(def, spot), 'a present 0 is not NULL');
    assert.equal(rowCheapHash(def, { ...row, price: -0 }), rowCheapHash(def, { ...row, price: 0 }));
  });

  it("a decimal hashes as the bytes of decimalText(x) × 10^18, for random doubles of every magnitude (JS's own text taken where it is decimalText)", () => {
    const def: TableDef = { name: 'one_decimal', fields: [{ field: 'x', column: 'x', kind: 'decimal' }], stamps: [], aliases: [], naturalKey: [] };
    const storedBytes = (x: number): Uint8Array => {
      const text = decimalText(x);
      const [int, frac = ''] = text.replace('-', '').split('.');
      let v = BigInt(int + frac) * 10n ** BigInt(18 - frac.length);
      if (text.startsWith('-')) v = 2n ** 128n - v;
      const bytes = Array.from({ length: 16 }, (_, k) => Number((v >> BigInt(8 * k)) & 255n));
      while (bytes.length && bytes[bytes.length - 1] === 0) bytes.pop();
      return Uint8Array.from(bytes);
    };
    let seed = 7;
    const random = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const values = [...DECIMALS];
    for (let k = 0; k < 20_000; k++) {
      const x = (random() - 0.5) * 2 * 10 ** (Math.floor(random() * 40) - 20);
      values.push(k % 3 ? x : Number(x.toPrecision(1 + (k % 12))));
    }
    const bad = values.filter((x) => Math.abs(x) < 1e20 && rowCheapHash(def, { x }) !== cityHash64(storedBytes(x)));
    assert.deepEqual(bad, []);
    assert.throws(() => rowCheapHash(def, { x: 1e20 }), RangeError);
  });

  it('the SQL is the text backup archives were written with', () => {
    // archives store sums computed with this exact expression: moving it must not change a byte
    assert.equal(
      cheapHashExpr(MARKET_TABLES.orderbook),
      'cityHash64(exchange, market_type, symbol, native_symbol, event_time, receive_time, arrayMap(x -> cityHash64(reinterpretAsString(x)), bids_price), ' +
        'arrayMap(x -> cityHash64(reinterpretAsString(x)), bids_amount), arrayMap(x -> cityHash64(reinterpretAsString(x)), asks_price), ' +
        'arrayMap(x -> cityHash64(reinterpretAsString(x)), asks_amount), depth, isNull(contract_size), reinterpretAsString(assumeNotNull(contract_size)))',
    );
  });

  it('CityHash64 v1.0.2, intHash64 and Hash128to64 equal the servers: strings of 0..200 bytes and longer (ASCII, UTF-8, any bytes), integers to 2^64 - 1', async () => {
    const inputs: Array<string | Uint8Array> = [];
    // (up to 3,000 bytes here, so the query stays under the servers' 256 KiB; the table tests go longer)
    for (const n of STRING_BYTES.filter((b) => b <= 3000)) inputs.push(textOfBytes(n, false), textOfBytes(n, true), randomBytes(n));
    const bytesOf = (x: string | Uint8Array): Uint8Array => (typeof x === 'string' ? Buffer.from(x, 'utf8') : x);
    const ints = [0n, 1n, 12_345n, 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n];
    const pairs = ints.map((a, i) => [a, ints[(i + 3) % ints.length]] as const);
    const sql =
      `SELECT arrayMap(x -> toString(cityHash64(x)), [${inputs.map((x) => `unhex('${hex(bytesOf(x))}')`).join(', ')}]) AS city,` +
      ` arrayMap(x -> toString(intHash64(x)), [${ints.map((x) => `toUInt64('${x}')`).join(', ')}]) AS ints,` +
      ` [${pairs.map(([a, b]) => `toString(cityHash64(toUInt64('${a}'), toUInt64('${b}')))`).join(', ')}] AS pairs,` +
      ` toString(cityHash64(unhex('${hex(bytesOf(inputs[30]))}'), unhex('${hex(bytesOf(inputs[301]))}'))) AS strings`;
    for (const [name, store] of servers()) {
      const got = await one<{ city: string[]; ints: string[]; pairs: string[]; strings: string }>(store, sql);
      const bad = inputs.map((x, i) => [i, cityHash64(x).toString(), got.city[i]] as const).filter(([, ts, server]) => ts !== server);
      assert.deepEqual(bad, [], `${name}: CityHash64 of [index, TS, server]`);
      assert.deepEqual(ints.map((x) => intHash64(x).toString()), got.ints, `${name}: intHash64`);
      assert.deepEqual(pairs.map(([a, b]) => hash128to64(intHash64(a), intHash64(b)).toString()), got.pairs, `${name}: cityHash64 of two UInt64`);
      assert.equal(hash128to64(cityHash64(inputs[30]), cityHash64(inputs[301])).toString(), got.strings, `${name}: cityHash64 of two strings`);
    }
  });

  for (const table of BATCH_TABLES) {
    it(`${table}: rowsCheapHash is the stored sum per batch, for sample rows and every edge case`, async () => {
      const def = batchTableDef(table);
      const batches = batchesOf(def, `cheap-${table}`, rowsOf(table, 1, 0)[0], (b) => rowsOf(table, 7, 1000 * (b + 1)));
      for (const [name, store] of servers()) assert.deepEqual(await mismatches(store, database, def, batches), [], name);
    });
  }

  it('legacy Float64 kinds (schema versions 1-3): IEEE bits, -0 as 0, NULLs and levels', async () => {
    const bad: string[] = [];
    for (const type of DATA_TYPES) {
      const def = V3_MARKET_TABLES[type];
      // values both parsers read exactly (multiples of 1/4), and the non-nullable Float64 / UInt64 kinds never null
      const exact = (row: Record<string, unknown>): Record<string, unknown> => {
        const out = { ...row };
        for (const f of def.fields) {
          const v = out[f.field];
          if (f.kind === 'float64' || f.kind === 'nullableFloat64') out[f.field] = typeof v === 'number' ? Math.round(v * 4) / 4 : f.kind === 'float64' ? 0 : null;
          if (f.kind === 'floatLevels') out[f.field] = (v as Array<[number, number]>).map(([p, a]) => [Math.round(p * 4) / 4, Math.round(a * 4) / 4]);
          if (f.kind === 'uint64' && v === null) out[f.field] = 0;
        }
        return out;
      };
      const batches = batchesOf(def, `cheap-v3-${type}`, exact(rowsOf(type, 1, 0)[0]), (b) => rowsOf(type, 7, 1000 * (b + 1)).map(exact));
      for (const [name, store] of servers()) bad.push(...(await mismatches(store, legacy, def, batches)).map((m) => `${name}: ${m}`));
    }
    assert.deepEqual(bad, []);
  });

  it('UInt64 hashes (hash64, the ledger checksum), beyond 2^53 too', async () => {
    const checksums = ['0', '1', '9007199254740993', '12345678901234567890', '18446744073709551615'];
    const rows = checksums.map((checksum, i) => ({ batchId: `cheap-ledger-${i}`, tableName: 'trades', rows: i, checksum, hash: checksums[checksums.length - 1 - i] }));
    for (const [name, store] of servers()) {
      await insertRows(storeClient(store), database, BATCHES_TABLE, rows);
      const result = await storeClient(store).query({
        query: `SELECT batch_id, toString(${cheapHashExpr(BATCHES_TABLE)}) AS h FROM ${database}.batches WHERE startsWith(batch_id, 'cheap-ledger-') ORDER BY batch_id`,
        format: 'JSONEachRow',
      });
      const stored = await result.json<{ batch_id: string; h: string }>();
      assert.deepEqual(
        stored.map((r) => [r.batch_id, r.h]),
        rows.map((r) => [r.batchId, rowCheapHash(BATCHES_TABLE, r).toString()]),
        name,
      );
    }
  });
});
