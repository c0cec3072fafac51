/**
 * Migration 5 (batch_id appended to every batch table's sorting key: tables rebuilt, rows copied day by day) on a
 * store holding 10 million trades over 70 days under the old sorting key. Figures: seconds, rows per second, and the
 * old table's size on disk. src/storage/rekey.ts; docs/storage.md, "Migrations".
 */
import { createClient } from '@clickhouse/client';
import { migrateStore } from '../src/storage/migrate';
import { BEFORE_BATCH_ID_KEY } from '../test/storage/natural-key-schema';
import { startTestStores } from '../test/storage/stores-fixture';

const ROWS = 10_000_000;
const DB = 'rekey_bench';
const DAY0 = Date.UTC(2030, 0, 1);

export async function benchRekey(): Promise<Record<string, number>> {
  const stores = await startTestStores();
  // a long copy must not hit the usual 30 s request timeout
  const client = createClient({ url: stores.stores[0].url, request_timeout: 600_000, log: { level: 127 as never } });
  try {
    await migrateStore(client, DB, BEFORE_BATCH_ID_KEY);
    // one trade every 600 ms: 70 days; 20 symbols; batches of 1 000
    await client.command({
      query: `INSERT INTO ${DB}.trades (exchange, market_type, symbol, native_symbol, event_time, receive_time, trade_id, price, amount, side, batch_id, ingest_time)
        SELECT 'okx', 'swap', concat('S', toString(number % 20), '/USDT'), 'S-USDT', ${DAY0} + number * 600, ${DAY0} + number * 600 + 5, toString(number),
               100.5 + number % 1000, 0.25, if(number % 2 = 0, 'buy', 'sell'), concat('trades-', toString(intDiv(number, 1000))), 1
        FROM system.numbers LIMIT ${ROWS}`,
    });
    const [size] = await (await client.query({ query: `SELECT sum(bytes_on_disk) AS bytes FROM system.parts WHERE database = '${DB}' AND table = 'trades' AND active`, format: 'JSONEachRow' })).json<{ bytes: string }>();
    const started = Date.now();
    await migrateStore(client, DB);
    const seconds = (Date.now() - started) / 1000;
    const [after] = await (await client.query({ query: `SELECT toString(count()) AS n FROM ${DB}.trades`, format: 'JSONEachRow' })).json<{ n: string }>();
    if (Number(after.n) !== ROWS) throw new Error(`rebuilt trades holds ${after.n} rows, expected ${ROWS}`);
    return { rows: ROWS, seconds, rowsPerSecond: Math.round(ROWS / seconds), megabytesOnDisk: Math.round(Number(size.bytes) / 2 ** 20) };
  } finally {
    await client.close();
    await stores.stop();
  }
}
