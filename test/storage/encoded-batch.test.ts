import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DATA_TYPES } from '../../src/domain/data-types';
import { batchOf } from '../../src/exchange/batches';
import { rowsChecksum } from '../../src/storage/checksum';
import { compressed } from '../../src/storage/client';
import { encodedBatch, encodedBody } from '../../src/storage/encoded-batch';
import { BadRowError } from '../../src/storage/columns';
import { insertStatement } from '../../src/storage/table-io';
import { MARKET_TABLES } from '../../src/storage/tables';
import { sampleRows } from './sample-rows';

/** The hot path's encode-once (issue 11): the same bytes and checksum as encoding per store, for every table. */
describe('encoded batches', () => {
  for (const type of DATA_TYPES) {
    it(`${type}: a store's body is the per-store encoding, byte for byte, with its own ingest time`, () => {
      const batch = batchOf(type, sampleRows(type, 4))!;
      const encoded = encodedBatch(batch);
      for (const ingestTime of [1_732_000_000_123, 1_732_000_001_000]) {
        const stamped = batch.rows.map((row) => ({ ...row, batchId: batch.batchId, ingestTime }));
        const { query, body } = insertStatement('db', MARKET_TABLES[type], stamped);
        const mine = encodedBody(encoded, ingestTime);
        assert.equal(mine.body, body);
        assert.ok(query.includes(`(${mine.columns.join(', ')})`));
      }
      assert.equal(encoded.checksum, rowsChecksum(MARKET_TABLES[type], batch.rows));
      assert.equal(encodedBatch(batch), encoded, 'the second store reuses the first encoding');
    });
  }

  it('refuses a bad row as the per-store encoding did, naming table, row and field', () => {
    const batch = batchOf('trades', sampleRows('trades', 2))!;
    const bad = { ...batch, batchId: `${batch.batchId}-bad`, rows: [batch.rows[0], { ...batch.rows[1], price: Number.NaN }] };
    assert.throws(() => encodedBatch(bad), (err: Error) => err instanceof BadRowError && /trades row 1: price/.test(err.message));
  });

  it('gzips store bodies only off this host, unless the config says otherwise', () => {
    assert.equal(compressed({ url: 'http://127.0.0.1:8123' }), false);
    assert.equal(compressed({ url: 'http://localhost:8123' }), false);
    assert.equal(compressed({ url: 'http://[::1]:8123' }), false);
    assert.equal(compressed({ url: 'https://ch.example.com:8443' }), true);
    assert.equal(compressed({ url: 'http://127.0.0.1:8123', compression: 'on' }), true);
    assert.equal(compressed({ url: 'https://ch.example.com', compression: 'off' }), false);
  });
});
