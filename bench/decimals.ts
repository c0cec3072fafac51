import type { TradeRow } from '../src/domain/rows';
import { storeClient } from '../src/storage/client';
import { checksumSql } from '../src/storage/checksum';
import { migrateStore } from '../src/storage/migrate';
import { insertRows } from '../src/storage/table-io';
import { MARKET_TABLES } from '../src/storage/tables';
import { startTestStores } from '../test/storage/stores-fixture';
import { V3_MARKET_TABLES, V3_MIGRATIONS } from '../test/storage/v3-schema';

/**
 * The cost of exact decimals (migration 4): 100,000 trades inserted through the project's insert path into
 * the version 3 table (Float64 price and amount, JSON numbers) and into today's (Decimal(38, 18), exact decimal
 * text), in batches of BATCH_ROWS as the collectors write them; then bytes on disk per row (after OPTIMIZE FINAL,
 * all parts merged) and per column, and the time of the store-side checksum over all rows. Prices are 3-decimal values between 1 and 10 and 2-decimal values near 3,000,
 * amounts 4-decimal; the same rows go into both tables. One 18.16 store, nothing else running.
 */
const ROWS = 100_000;
const BATCH_ROWS = 2_000;
const T0 = Date.UTC(2039, 0, 1);

function rows(): TradeRow[] {
  let state = 7;
  const next = (): number => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: ROWS }, (_, i) => ({
    exchange: 'okx',
    marketType: 'spot',
    symbol: i % 2 ? 'DEC/USDT' : 'ETH/USDT',
    nativeSymbol: i % 2 ? 'DEC-USDT' : 'ETH-USDT',
    eventTime: T0 + i * 50,
    receiveTime: T0 + i * 50 + 20,
    tradeId: String(1_000_000_000 + i),
    price: i % 2 ? Number((1 + 9 * next()).toFixed(3)) : Number((3_000 + 50 * next()).toFixed(2)),
    amount: Number((0.0001 + 20 * next()).toFixed(4)),
    side: next() < 0.5 ? 'buy' : 'sell', contractSize: null, baseAmount: null, quoteAmount: null,
  }));
}

export async function benchDecimals(): Promise<Record<string, number>> {
  const stores = await startTestStores();
  try {
    const store = stores.stores[0];
    const client = storeClient(store);
    const data = rows().map((r) => ({ ...r, batchId: 'bench', ingestTime: T0 }));
    const figures: Record<string, number> = {};
    for (const [name, database, def, migrations] of [
      ['float64', 'bench_float64', V3_MARKET_TABLES.trades, V3_MIGRATIONS],
      ['decimal', 'bench_decimal', MARKET_TABLES.trades, undefined],
    ] as const) {
      await migrateStore(client, database, migrations);
      const started = process.hrtime.bigint();
      for (let i = 0; i < data.length; i += BATCH_ROWS) await insertRows(client, database, def, data.slice(i, i + BATCH_ROWS));
      figures[`${name}_insert_s`] = Number(process.hrtime.bigint() - started) / 1e9;
      await client.command({ query: `OPTIMIZE TABLE ${database}.trades FINAL` });
      const parts = await client.query({ query: `SELECT toString(sum(bytes_on_disk)) AS bytes, toString(sum(rows)) AS rows FROM system.parts WHERE database = '${database}' AND table = 'trades' AND active`, format: 'JSONEachRow' });
      const [p] = await parts.json<{ bytes: string; rows: string }>();
      figures[`${name}_bytes_per_row`] = Number(p.bytes) / Number(p.rows);
      const cols = await client.query({ query: `SELECT name, toString(data_compressed_bytes) AS b FROM system.columns WHERE database = '${database}' AND table = 'trades' AND name IN ('price', 'amount')`, format: 'JSONEachRow' });
      for (const c of await cols.json<{ name: string; b: string }>()) figures[`${name}_${c.name}_bytes_per_row`] = Number(c.b) / Number(p.rows);
      // the store-side checksum over every row (what replicas check and batch summaries compute), best of 3
      let best = Infinity;
      for (let k = 0; k < 3; k++) {
        const t = process.hrtime.bigint();
        await (await client.query({ query: `SELECT toString(${checksumSql(def)}) AS c FROM ${database}.trades FINAL`, format: 'JSONEachRow' })).json();
        best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e9);
      }
      figures[`${name}_checksum_s`] = best;
    }
    return figures;
  } finally {
    await stores.stop();
  }
}
