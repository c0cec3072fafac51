import assert from 'node:assert/strict';
import { decimalText } from '../../src/storage/decimal-text';
import { DecimalValue, jsonEachRow } from '../../src/storage/json-each-row';
import { describe, it } from 'node:test';
import { DATA_TYPES } from '../../src/domain/data-types';
import { BadRowError } from '../../src/storage/columns';
import { createTableSql } from '../../src/storage/ddl';
import { BadIdentifierError, batchIdLiteral, qualified } from '../../src/storage/identifiers';
import { fromStoreRow, toStoreRow } from '../../src/storage/row-codec';
import { ALERTS_TABLE, BATCHES_TABLE, COLLECTION_GAPS_TABLE, MARKET_TABLES, partitionIdForDay, QUARANTINE_TABLE, SCHEMA_MIGRATIONS_TABLE, SCHEMA_TABLES, sortingKey } from '../../src/storage/tables';
import { sampleRows } from './sample-rows';

describe('table declarations (src/storage/tables.ts)', () => {
  it('declares a table per data type, plus batches, alerts, collection_gaps and quarantine', () => {
    assert.deepEqual(
      SCHEMA_TABLES.map((t) => t.name),
      [...DATA_TYPES, 'batches', 'alerts', 'collection_gaps', 'quarantine'],
    );
  });

  it('gives every market table the common columns, the stamps, snake_case names and a day partition', () => {
    for (const type of DATA_TYPES) {
      const def = MARKET_TABLES[type];
      const columns = [...def.fields, ...def.stamps].map((f) => f.column);
      for (const c of ['exchange', 'market_type', 'symbol', 'native_symbol', 'event_time', 'receive_time', 'batch_id', 'ingest_time']) {
        assert.ok(columns.includes(c), `${type} lacks ${c}`);
      }
      for (const c of columns) assert.match(c, /^[a-z][a-z0-9_]*$/);
      assert.deepEqual(def.naturalKey.slice(0, 2), ['exchange', 'symbol']);
      assert.deepEqual(sortingKey(def), [...def.naturalKey, 'batch_id'], 'batch_id ends the sorting key: batches never shadow each other');
      assert.match(createTableSql('db', def), /PARTITION BY toYYYYMMDD\(toDateTime\(intDiv\(event_time, 1000\), 'UTC'\)\)/);
      assert.match(createTableSql('db', def), /event_dt DateTime ALIAS toDateTime\(intDiv\(event_time, 1000\)\)/);
    }
    assert.deepEqual(MARKET_TABLES.trades.naturalKey, ['exchange', 'symbol', 'trade_id']);
    assert.match(createTableSql('db', MARKET_TABLES.trades), /ORDER BY \(exchange, symbol, trade_id, batch_id\)$/);
  });

  it('stamps the bookkeeping tables with batch id and ingest time, outside the natural key but ending the sorting key', () => {
    for (const def of [QUARANTINE_TABLE, COLLECTION_GAPS_TABLE]) {
      assert.deepEqual(def.stamps.map((f) => `${f.column} ${f.kind}`), ['batch_id string', 'ingest_time uint64'], def.name);
      assert.ok(!def.naturalKey.includes('batch_id'), def.name);
      assert.equal(sortingKey(def).at(-1), 'batch_id', def.name);
      assert.match(createTableSql('db', def), /batch_id String,\n {2}ingest_time UInt64\n\) ENGINE/);
    }
    for (const def of [BATCHES_TABLE, ALERTS_TABLE, SCHEMA_MIGRATIONS_TABLE]) {
      assert.deepEqual(sortingKey(def), def.naturalKey, `${def.name} is not written in batches`);
    }
  });

  it('emits only SQL the 18.16 floor supports', () => {
    for (const def of [...SCHEMA_TABLES, SCHEMA_MIGRATIONS_TABLE]) {
      const sql = createTableSql('marketprism', def);
      assert.match(sql, /^CREATE TABLE IF NOT EXISTS marketprism\./);
      assert.match(sql, /ENGINE = ReplacingMergeTree/);
      assert.doesNotMatch(sql, /DateTime64|LowCardinality|\bTTL\b|\{[a-z_]+:|Tuple/);
    }
  });

  it('maps camelCase rows to snake_case columns and back, order book levels as parallel arrays', () => {
    const [row] = sampleRows('orderbook', 1);
    const stored = toStoreRow(MARKET_TABLES.orderbook, { ...row, batchId: 'b-1', ingestTime: 5 });
    // prices and amounts go out as exact decimal text, written verbatim into the JSONEachRow body
    assert.deepEqual(stored.bids_price, row.bids.map((l) => new DecimalValue(decimalText(l[0]))));
    assert.deepEqual(stored.asks_amount, row.asks.map((l) => new DecimalValue(decimalText(l[1]))));
    assert.equal(stored.native_symbol, row.nativeSymbol);
    assert.match(jsonEachRow([stored]), /"bids_amount":\[1\.5,0\.00000002\]/);
    // Decimals come back as JSON numbers and UInt64 as strings; decoding makes both numbers again
    const wire = JSON.parse(jsonEachRow([stored])) as Record<string, unknown>;
    const back = fromStoreRow(MARKET_TABLES.orderbook, { ...wire, event_time: String(row.eventTime), receive_time: String(row.receiveTime), ingest_time: '5' });
    assert.deepEqual(back, { ...row, batchId: 'b-1', ingestTime: 5 });
  });

  it('rejects a malformed row naming the table, row and field', () => {
    const [row] = sampleRows('trades', 1);
    assert.throws(() => toStoreRow(MARKET_TABLES.trades, { ...row, price: 'abc', batchId: 'b', ingestTime: 1 }, 3), (err: Error) => {
      assert.ok(err instanceof BadRowError);
      assert.equal(err.message, 'trades row 3: price = "abc": expected a finite number');
      return true;
    });
    assert.throws(() => toStoreRow(MARKET_TABLES.trades, { ...row, eventTime: 1.5, batchId: 'b', ingestTime: 1 }), /eventTime = 1.5: expected an integer/);
  });

  it('validates identifiers and batch ids before they reach SQL', () => {
    assert.equal(qualified('marketprism', 'trades'), 'marketprism.trades');
    assert.throws(() => qualified('market prism', 'trades'), BadIdentifierError);
    assert.throws(() => qualified('db', 'trades; DROP TABLE x'), BadIdentifierError);
    assert.equal(batchIdLiteral('trades-0123abcd'), "'trades-0123abcd'");
    assert.throws(() => batchIdLiteral("x' OR 1=1 --"), /batch id .* is not valid/);
  });

  it('names day partitions as YYYYMMDD in UTC', () => {
    assert.equal(partitionIdForDay(Date.UTC(2024, 0, 2, 23, 59, 59)), 20240102);
  });
});
