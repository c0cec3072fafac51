/**
 * The loop a user writes without MarketPrism, for `npm run bench -- throughput` (issue 11): per symbol, ccxt's
 * fetchTrades paging forward by id (binance `fromId`), each page inserted into every store with
 * @clickhouse/client (JSONEachRow) before the next page is asked for. No Temporal, no ledger, no checksums,
 * no retries. Runs in its own process so its CPU and memory are its own:
 *   plain-loop <config file> <database> <warm-up ms> <steady ms> <exchange:symbol,...>
 * Prints one JSON line: {rows, seconds, rowsPerSec, cpuSeconds, maxRssMb}; rows count pages that every store took
 * within the steady window.
 */
import { createClient } from '@clickhouse/client';
import type { Trade } from 'ccxt';
import { loadConfig } from '../src/config/load';
import { createExchange } from '../src/exchange/client';

async function main(): Promise<void> {
  const [file, database, warmupText, steadyText, pairsText] = process.argv.slice(2);
  const config = loadConfig(file);
  const warmupMs = Number(warmupText);
  const steadyMs = Number(steadyText);
  const stores = config.stores.map((s) => createClient({ url: s.url, database }));
  const begin = Date.now();
  const steadyFrom = begin + warmupMs;
  const steadyTo = steadyFrom + steadyMs;
  let rows = 0;
  let cpuAtStart = 0;
  const loops = pairsText.split(',').map(async (pair) => {
    const [exchangeId, symbol] = [pair.slice(0, pair.indexOf(':')), pair.slice(pair.indexOf(':') + 1)];
    const exchange = createExchange(exchangeId, config.exchanges[exchangeId]);
    await exchange.loadMarkets();
    const market = exchange.market(symbol);
    let fromId: string | undefined;
    while (Date.now() < steadyTo) {
      const trades: Trade[] = await exchange.fetchTrades(symbol, undefined, 1000, fromId ? { fromId } : {});
      if (trades.length === 0) continue;
      const now = Date.now();
      const values = trades.map((t) => ({
        exchange: exchangeId, market_type: market.type, symbol, native_symbol: market.id, event_time: t.timestamp, receive_time: now,
        trade_id: String(t.id), price: t.price, amount: t.amount, side: t.side, batch_id: 'plain-loop', ingest_time: now,
      }));
      await Promise.all(stores.map((c) => c.insert({ table: 'trades', values, format: 'JSONEachRow' })));
      const done = Date.now();
      if (done >= steadyFrom && done < steadyTo) rows += values.length;
      fromId = (BigInt(trades[trades.length - 1].id as string) + 1n).toString();
    }
    await exchange.close();
  });
  setTimeout(() => (cpuAtStart = cpuSeconds()), warmupMs).unref();
  await Promise.all(loops);
  const cpu = cpuSeconds() - cpuAtStart;
  await Promise.all(stores.map((c) => c.close()));
  process.stdout.write(`${JSON.stringify({ rows, seconds: steadyMs / 1000, rowsPerSec: rows / (steadyMs / 1000), cpuSeconds: cpu, maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

main().catch((err: Error) => {
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
});
