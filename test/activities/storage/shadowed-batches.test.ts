import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { storageActivities } from '../../../src/activities/storage';
import { loadConfig } from '../../../src/config/load';
import type { Batch } from '../../../src/domain/batch';
import type { TradeRow } from '../../../src/domain/rows';
import { batchSummary } from '../../../src/storage/batch-rows';
import { storeClient } from '../../../src/storage/client';
import { tableDigest } from '../../../src/storage/consistency';
import { ledgerEntry } from '../../../src/storage/ledger';
import { selectRows } from '../../../src/storage/table-io';
import { MARKET_TABLES } from '../../../src/storage/tables';

/**
 * The example on the test stack's stores: batch A = {BTC trade 501, ETH trade 902} reached two stores,
 * batch B = {ETH 902, ETH 903} all three. Before batch_id ended the sorting key, B's ETH 902 hid A's (FINAL at
 * once, merges for good): A read back 1 row where its ledger said 2, and the third store could never get it.
 */

/** 2031-07-01 and the day after: days no other test writes. */
const DAY = Date.UTC(2031, 6, 1);
const SYMBOLS = { btc: 'SHB/USDT:USDT', eth: 'SHE/USDT:USDT' };

function trade(symbol: string, id: number, at: number, receivedAfter: number): TradeRow {
  return { exchange: 'okx', marketType: 'swap', symbol, nativeSymbol: symbol.replace('/', '-'), eventTime: at, receiveTime: at + receivedAfter, tradeId: String(id), price: 100 + id / 7, amount: 0.25, side: 'sell', contractSize: null, baseAmount: null, quoteAmount: null };
}

describe('a natural key in two batches (issue: batch repair), on the test stack stores', () => {
  const config = loadConfig();
  const { copyBatch, insertBatch, migrate, missingBatches } = storageActivities(config);
  const [primary, replica1, replica2] = config.stores;
  const A: Batch<'trades'> = { batchId: 'shadow-a', table: 'trades', rows: [trade(SYMBOLS.btc, 501, DAY + 1_000, 5), trade(SYMBOLS.eth, 902, DAY + 2_000, 5)] };
  // B fetched ETH 902 again later (another collector, or a restarted one): same trade, later receive time
  const B: Batch<'trades'> = { batchId: 'shadow-b', table: 'trades', rows: [trade(SYMBOLS.eth, 902, DAY + 2_000, 700), trade(SYMBOLS.eth, 903, DAY + 86_400_000 + 3_000, 700)] };

  before(async () => {
    for (const s of config.stores) await migrate({ store: s.id });
  });

  it('batch A, shadowed by B on every store and merged, is copied to the store that missed it and every ledger entry verifies', async () => {
    for (const s of [primary, replica1]) await insertBatch({ store: s.id, batch: A });
    for (const s of config.stores) await insertBatch({ store: s.id, batch: B });
    // merges are what made the loss permanent: force them
    for (const s of config.stores) await storeClient(s).command({ query: `OPTIMIZE TABLE ${s.database}.trades FINAL` });

    const missing = await missingBatches({ store: replica2.id, sources: config.stores.map((s) => s.id), limit: 10_000 });
    assert.ok(missing.batches.some((b) => b.batchId === A.batchId), 'replica-2 lacks A');
    const copied = await copyBatch({ store: replica2.id, sources: [primary.id, replica1.id], batchId: A.batchId, table: 'trades' });
    assert.deepEqual({ rows: copied.rows, source: copied.source, alreadyPresent: copied.alreadyPresent }, { rows: 2, source: primary.id, alreadyPresent: false });

    for (const s of config.stores) {
      const client = storeClient(s);
      await client.command({ query: `OPTIMIZE TABLE ${s.database}.trades FINAL` });
      for (const batch of [A, B]) {
        const entry = await ledgerEntry(client, s.database, batch.batchId);
        assert.ok(entry, `${s.id} holds ${batch.batchId}`);
        assert.deepEqual(await batchSummary(client, s.database, 'trades', batch.batchId), { rows: entry.rows, checksum: entry.checksum }, `${s.id} ${batch.batchId}`);
        assert.equal(entry.rows, 2);
      }
      // readers still see one row per trade: ETH 902 once (the copy in the greater batch id, B's)
      const where = `symbol IN ('${SYMBOLS.btc}', '${SYMBOLS.eth}')`;
      const rows = await selectRows<TradeRow & { batchId: string }>(client, s.database, MARKET_TABLES.trades, { where, orderBy: 'trade_id' });
      assert.deepEqual(rows.map((r) => `${r.tradeId}@${r.batchId}@${r.receiveTime - r.eventTime}`), ['501@shadow-a@5', '902@shadow-b@700', '903@shadow-b@700'], s.id);
    }
    // and the stores agree on those days, row for row
    const days = await Promise.all(config.stores.map(async (s) => (await tableDigest(storeClient(s), s.database, 'trades', DAY)).filter((d) => d.day <= 20310702)));
    assert.deepEqual(days[0].map((d) => [d.day, d.rows]), [[20310701, 2], [20310702, 1]]);
    assert.deepEqual(days[1], days[0]);
    assert.deepEqual(days[2], days[0]);
  });
});
