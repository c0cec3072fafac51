import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { ApplicationFailure } from '@temporalio/common';
import { storageActivities } from '../../../src/activities/storage';
import { BATCH_NOT_FOUND } from '../../../src/activities/storage/copy-batch';
import { loadConfig } from '../../../src/config/load';
import type { Batch } from '../../../src/domain/batch';
import type { CollectionGapRow, QuarantineRow, TradeRow } from '../../../src/domain/rows';
import { tableDigest } from '../../../src/storage/consistency';
import { batchRows, batchSummary } from '../../../src/storage/batch-rows';
import { rowsChecksum } from '../../../src/storage/checksum';
import { recordBatch } from '../../../src/storage/ledger';
import { storeClient } from '../../../src/storage/client';
import { insertRows } from '../../../src/storage/table-io';
import { COLLECTION_GAPS_TABLE, MARKET_TABLES, QUARANTINE_TABLE } from '../../../src/storage/tables';
import { UNRECORDED_HASH } from '../../../src/storage/records';

/** 2032-03-01: a day of event times no other test writes, so the consistency check sees only these rows. */
const SINCE = Date.UTC(2032, 2, 1);

function batch(id: string, n: number, offset: number): Batch<'trades'> {
  const rows = Array.from({ length: n }, (_, i): TradeRow => ({
    exchange: 'okx',
    marketType: 'swap',
    symbol: 'CPY/USDT',
    nativeSymbol: 'CPY-USDT',
    eventTime: SINCE + (offset + i) * 1000,
    receiveTime: SINCE + (offset + i) * 1000 + 5,
    tradeId: `${id}-${i}`,
    price: 100 + i / 3,
    amount: 0.5,
    side: 'buy', contractSize: null, baseAmount: null, quoteAmount: null,
  }));
  return { batchId: id, table: 'trades', rows };
}

async function rejection(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof ApplicationFailure, `expected an ApplicationFailure, got ${String(err)}`);
  return err;
}

describe('storage repair activities against the test stack stores', () => {
  const config = loadConfig();
  const { checkConsistency, copyBatch, insertBatch, migrate, missingBatches, storeHealth } = storageActivities(config);
  const [primary, replica1, replica2] = config.stores;
  const ids = config.stores.map((s) => s.id);

  before(async () => {
    for (const s of config.stores) await migrate({ store: s.id });
  });

  it('storeHealth answers for a running store and rejects an unknown one as bad input', async () => {
    assert.deepEqual(await storeHealth({ store: primary.id }), { store: primary.id, healthy: true });
    const err = await rejection(storeHealth({ store: 'nope' }));
    assert.equal(err.type, 'bad_request');
    assert.equal(err.nonRetryable, true);
  });

  it('copyBatch copies from a store whose ledger holds the batch, verified, and is idempotent', async () => {
    const b = batch('cpy-1', 40, 0);
    const written = await insertBatch({ store: primary.id, batch: b });
    const missing = await missingBatches({ store: replica1.id, sources: ids, limit: 10_000 });
    assert.ok(missing.batches.some((m) => m.batchId === 'cpy-1' && m.table === 'trades'), 'replica-1 lacks it');

    // replica-2 is tried first and lacks it too: the copy comes from the primary.
    const copied = await copyBatch({ store: replica1.id, sources: [replica2.id, primary.id], batchId: 'cpy-1', table: 'trades' });
    assert.deepEqual(copied, { store: replica1.id, batchId: 'cpy-1', table: 'trades', rows: 40, checksum: written.checksum, source: primary.id, alreadyPresent: false });
    assert.deepEqual(await batchSummary(storeClient(replica1), replica1.database, 'trades', 'cpy-1'), { rows: 40, checksum: written.checksum });
    assert.ok(!(await missingBatches({ store: replica1.id, sources: ids, limit: 10_000 })).batches.some((m) => m.batchId === 'cpy-1'));

    const again = await copyBatch({ store: replica1.id, sources: [primary.id], batchId: 'cpy-1', table: 'trades' });
    assert.equal(again.alreadyPresent, true);
    assert.equal(again.source, null);
    assert.deepEqual(await batchSummary(storeClient(replica1), replica1.database, 'trades', 'cpy-1'), { rows: 40, checksum: written.checksum });
  });

  it('copyBatch refuses a source whose rows do not match its ledger, and a batch no ledger holds', async () => {
    const b = batch('cpy-2', 10, 100);
    await insertBatch({ store: primary.id, batch: b });
    // A stray row under the same batch id: the primary's rows no longer match its ledger entry.
    const stray = { ...b.rows[0], tradeId: 'cpy-2-stray', batchId: 'cpy-2', ingestTime: Date.now() };
    await insertRows(storeClient(primary), primary.database, MARKET_TABLES.trades, [stray]);
    const mismatch = await rejection(copyBatch({ store: replica2.id, sources: [primary.id], batchId: 'cpy-2', table: 'trades' }));
    assert.equal(mismatch.type, BATCH_NOT_FOUND);
    assert.match(mismatch.message, /holds 11 rows .* ledger says 10/);
    assert.equal(await batchSummary(storeClient(replica2), replica2.database, 'trades', 'cpy-2').then((s) => s.rows), 0, 'nothing was written');

    const none = await rejection(copyBatch({ store: replica2.id, sources: [primary.id, replica1.id], batchId: 'cpy-never-written', table: 'trades' }));
    assert.equal(none.type, BATCH_NOT_FOUND);
    assert.equal(none.nonRetryable, true);
    const bad = await rejection(copyBatch({ store: replica2.id, sources: [primary.id], batchId: 'x', table: 'nope' as 'trades' }));
    assert.equal(bad.type, 'bad_request');
  });

  it('copyBatch copies a bookkeeping batch by batch id, verified, leaving extra rows alone; a second copy is a no-op', async () => {
    const day = Date.UTC(2032, 3, 1);
    const rows = Array.from({ length: 4 }, (_, i): QuarantineRow => ({
      exchange: 'okx', dataType: 'trades', symbol: 'CPQ/USDT', reason: `bad item ${i}`, raw: `{"id":${i},"px":"x"}`, receivedAt: day + i,
    }));
    const quarantine = { batchId: 'cpy-q-1', table: 'quarantine', rows } as unknown as Batch;
    const written = await insertBatch({ store: primary.id, batch: quarantine });
    // the primary stamped the rows with their batch id: the store proves the batch by id
    assert.deepEqual(await batchSummary(storeClient(primary), primary.database, 'quarantine', 'cpy-q-1'), { rows: 4, checksum: written.checksum });
    // replica-1 holds a row of that day the primary does not (written by hand, no batch): a copy must not remove it
    const extra = { ...rows[0], reason: 'only on replica-1', receivedAt: day + 99, batchId: '', ingestTime: 0 };
    await insertRows(storeClient(replica1), replica1.database, QUARANTINE_TABLE, [extra]);

    const missing = await missingBatches({ store: replica1.id, sources: ids, limit: 10_000 });
    assert.ok(missing.batches.some((m) => m.batchId === 'cpy-q-1' && m.table === 'quarantine'), 'the ledger diff names the bookkeeping batch');

    const copied = await copyBatch({ store: replica1.id, sources: [replica2.id, primary.id], batchId: 'cpy-q-1', table: 'quarantine' });
    assert.deepEqual(copied, { store: replica1.id, batchId: 'cpy-q-1', table: 'quarantine', rows: 4, checksum: written.checksum, source: primary.id, alreadyPresent: false });
    // copied by id: replica-1's rows of the batch carry its id, and the store proves count and checksum by id
    assert.deepEqual(await batchSummary(storeClient(replica1), replica1.database, 'quarantine', 'cpy-q-1'), { rows: 4, checksum: written.checksum });
    const copiedRows = await batchRows(storeClient(replica1), replica1.database, 'quarantine', 'cpy-q-1');
    assert.deepEqual(copiedRows.map(({ batchId: _b, ingestTime: _i, ...row }) => row), rows);
    const [onPrimary] = await tableDigest(storeClient(primary), primary.database, 'quarantine', day);
    const [onReplica] = await tableDigest(storeClient(replica1), replica1.database, 'quarantine', day);
    assert.deepEqual(onPrimary, { day: 20320401, rows: 4, checksum: written.checksum });
    assert.equal(onReplica.rows, 5, 'the four copied rows and the extra one');
    assert.ok(!(await missingBatches({ store: replica1.id, sources: ids, limit: 10_000 })).batches.some((m) => m.batchId === 'cpy-q-1'));

    const again = await copyBatch({ store: replica1.id, sources: [primary.id], batchId: 'cpy-q-1', table: 'quarantine' });
    assert.deepEqual(again, { ...copied, source: null, alreadyPresent: true });
    assert.deepEqual(await batchSummary(storeClient(replica1), replica1.database, 'quarantine', 'cpy-q-1'), { rows: 4, checksum: written.checksum });
    const none = await rejection(copyBatch({ store: replica2.id, sources: [primary.id], batchId: 'cpy-q-never', table: 'quarantine' }));
    assert.equal(none.type, BATCH_NOT_FOUND);

    // a collection_gaps batch takes the same path
    const gaps = Array.from({ length: 2 }, (_, i): CollectionGapRow => ({
      exchange: 'okx', dataType: 'trades', symbol: `CPG${i}/USDT`, fromTime: day + i, toTime: day + 1_000 + i, reason: 'gone', detectedAt: day + 2_000,
    }));
    const gapsWritten = await insertBatch({ store: replica2.id, batch: { batchId: 'cpy-g-1', table: 'collection_gaps', rows: gaps } as unknown as Batch });
    const gapsCopied = await copyBatch({ store: primary.id, sources: [replica1.id, replica2.id], batchId: 'cpy-g-1', table: 'collection_gaps' });
    assert.equal(gapsCopied.source, replica2.id);
    assert.deepEqual(await batchSummary(storeClient(primary), primary.database, 'collection_gaps', 'cpy-g-1'), { rows: 2, checksum: gapsWritten.checksum });

    // a source whose rows do not match its ledger entry is refused, as for market batches
    const strayGap = { ...gaps[0], symbol: 'CPG-stray/USDT', batchId: 'cpy-g-1', ingestTime: Date.now() };
    await insertRows(storeClient(replica2), replica2.database, COLLECTION_GAPS_TABLE, [strayGap]);
    const mismatch = await rejection(copyBatch({ store: replica1.id, sources: [replica2.id], batchId: 'cpy-g-1', table: 'collection_gaps' }));
    assert.equal(mismatch.type, BATCH_NOT_FOUND);
    assert.match(mismatch.message, /holds 3 rows .* ledger says 2/);

    // level the stores again for whoever compares whole tables later
    await copyBatch({ store: replica2.id, sources: [primary.id], batchId: 'cpy-q-1', table: 'quarantine' });
    await copyBatch({ store: replica1.id, sources: [primary.id], batchId: 'cpy-g-1', table: 'collection_gaps' });
    for (const s of [primary, replica2]) await insertRows(storeClient(s), s.database, QUARANTINE_TABLE, [extra]);
    for (const s of [primary, replica1]) await insertRows(storeClient(s), s.database, COLLECTION_GAPS_TABLE, [strayGap]);
  });

  it('copyBatch copies a bookkeeping batch whose source rows predate migration 3 (no batch id) by content', async () => {
    const day = Date.UTC(2032, 3, 2);
    const rows = Array.from({ length: 3 }, (_, i): QuarantineRow => ({
      exchange: 'okx', dataType: 'trades', symbol: 'CPO/USDT', reason: `old item ${i}`, raw: `{"id":${i}}`, receivedAt: day + i,
    }));
    // as a worker before migration 3 left it: rows without batch id (''), and the ledger entry
    const checksum = rowsChecksum(QUARANTINE_TABLE, rows);
    await insertRows(storeClient(primary), primary.database, QUARANTINE_TABLE, rows.map((r) => ({ ...r, batchId: '', ingestTime: 0 })));
    await recordBatch(storeClient(primary), primary.database, { batchId: 'cpy-q-old', tableName: 'quarantine', rows: 3, checksum, hash: UNRECORDED_HASH });
    assert.equal((await batchSummary(storeClient(primary), primary.database, 'quarantine', 'cpy-q-old')).rows, 0, 'no row carries the id');

    const copied = await copyBatch({ store: replica1.id, sources: [primary.id], batchId: 'cpy-q-old', table: 'quarantine' });
    assert.deepEqual(copied, { store: replica1.id, batchId: 'cpy-q-old', table: 'quarantine', rows: 3, checksum, source: primary.id, alreadyPresent: false });
    // the rows arrived as the source holds them (no batch id), and the day is identical
    const [onPrimary] = await tableDigest(storeClient(primary), primary.database, 'quarantine', day);
    const [onReplica] = await tableDigest(storeClient(replica1), replica1.database, 'quarantine', day);
    assert.deepEqual(onReplica, onPrimary);
    assert.deepEqual(onReplica, { day: 20320402, rows: 3, checksum });
    assert.equal((await batchSummary(storeClient(replica1), replica1.database, 'quarantine', 'cpy-q-old')).rows, 0);
    assert.equal((await copyBatch({ store: replica1.id, sources: [primary.id], batchId: 'cpy-q-old', table: 'quarantine' })).alreadyPresent, true);
    await copyBatch({ store: replica2.id, sources: [primary.id], batchId: 'cpy-q-old', table: 'quarantine' });
  });

  it('checkConsistency finds the day where stores differ, and nothing once they hold the same rows', async () => {
    const before = await checkConsistency({ table: 'trades', sinceMs: SINCE });
    assert.equal(before.identical, false);
    const trades = before.tables.find((t) => t.table === 'trades');
    assert.ok(trades);
    assert.deepEqual(trades.differences.map((d) => d.day), [20320301]);
    assert.deepEqual(trades.stores.map((s) => s.rows), [51, 40, 0]);

    // Level the stores: replica-2 copies cpy-1; the stray row and cpy-2 go to replica-1 and replica-2 as-is.
    await copyBatch({ store: replica2.id, sources: [replica1.id], batchId: 'cpy-1', table: 'trades' });
    const cpy2 = batch('cpy-2', 10, 100);
    const stray = { ...cpy2.rows[0], tradeId: 'cpy-2-stray', batchId: 'cpy-2', ingestTime: Date.now() };
    for (const s of [replica1, replica2]) {
      await insertBatch({ store: s.id, batch: cpy2 });
      await insertRows(storeClient(s), s.database, MARKET_TABLES.trades, [stray]);
    }
    const after = await checkConsistency({ table: 'trades', sinceMs: SINCE });
    assert.deepEqual(after.tables.find((t) => t.table === 'trades')?.stores.map((s) => s.rows), [51, 51, 51]);
    assert.equal(after.tables.find((t) => t.table === 'trades')?.identical, true);
  });
});
