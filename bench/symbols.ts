/**
 * `npm run bench -- symbols` (issue 11): every market of an exchange at once. The simulator lists 1,000 generated
 * binanceusdm perpetuals (uneven rates: 2 / (1 + i/4) times 2 trades/s) beside BTC and ETH; one symbol set
 * (`--symbols all`, 50 symbols per collector) collects trades with two worker processes, ccxt's request spacing off
 * and the token buckets raised. After every member has fetched once, over a steady window (BENCH_STEADY_MS, 60 s):
 * rows per second at quorum, each member's lag (time since its last successful poll), and for 25 markets spread
 * over the list, whether every trade the simulator made in the window is stored.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { loadConfig } from '../src/config/load';
import { temporalClient } from '../src/client/client';
import { collectorStatus } from '../src/client/collectors';
import { startSymbolSet, symbolSetStatus } from '../src/client/symbol-sets';
import { storeClient } from '../src/storage/client';
import { truth } from '../test/support/simulator-admin';
import { percentile, withStack } from './stack';

const INSTRUMENTS = Number(process.env.BENCH_INSTRUMENTS ?? 1_000);
const STEADY_MS = Number(process.env.BENCH_STEADY_MS ?? 60_000);
const PER_COLLECTOR = 50;

export async function benchSymbols(): Promise<Record<string, number>> {
  return withStack(
    async (_c, file) => {
      const config = loadConfig(file);
      const workers: ChildProcess[] = [0, 1].map(() =>
        spawn(process.execPath, [path.resolve(__dirname, '../bin/marketprism.js'), 'worker', '--no-metrics'], { env: { ...process.env, MARKETPRISM_CONFIG: file, MARKETPRISM_LOG_LEVEL: 'error' }, stdio: 'ignore' }),
      );
      const client = await temporalClient(config);
      try {
        const { workflowId } = await startSymbolSet(client, config, { exchange: 'binanceusdm', dataType: 'trades', selector: 'all', intervalMs: 1_000, symbolsPerCollector: PER_COLLECTOR, reloadMarketsMs: 5 * 60_000 });
        const t0 = Date.now();
        // every member has polled once
        let members: string[] = [];
        for (;;) {
          const set = await symbolSetStatus(client, workflowId).catch(() => undefined);
          if (set && set.symbols >= INSTRUMENTS) {
            members = set.members.map((m) => m.workflowId);
            const st = await Promise.all(members.map((id) => collectorStatus(client, id).catch(() => undefined)));
            if (st.every((s) => s?.lastSuccessTime)) break;
          }
          await delay(1_000);
        }
        const allPolledS = (Date.now() - t0) / 1000;
        const rowsOf = async () => (await Promise.all(members.map((id) => collectorStatus(client, id)))).reduce((n, s) => n + s.rowsWritten, 0);
        const windowFrom = Date.now();
        const before = await rowsOf();
        const lags: number[] = [];
        while (Date.now() - windowFrom < STEADY_MS) {
          await delay(5_000);
          for (const s of await Promise.all(members.map((id) => collectorStatus(client, id).catch(() => undefined)))) if (s) lags.push(s.lagMs ?? Infinity);
        }
        const windowTo = Date.now();
        const rows = (await rowsOf()) - before;
        // stored = made, for markets spread over the list: counted once every member's cursors passed the window
        // (a member polls its 50 symbols in turn, so its later symbols trail the lag above), at most 2 minutes
        const sample = Array.from({ length: 25 }, (_, i) => `X${String(1 + Math.floor((i * INSTRUMENTS) / 25)).padStart(4, '0')}/USDT:USDT`);
        const settled = Date.now();
        for (;;) {
          const st = await Promise.all(members.map((id) => collectorStatus(client, id).catch(() => undefined)));
          // a member that does not answer (busy, or between runs) counts as behind
          const behind = st.some((m) => !m || sample.some((sym) => m.symbols.includes(sym) && (m.cursors[sym]?.lastTime ?? 0) < windowTo));
          if (!behind || Date.now() - settled > 120_000) break;
          await delay(2_000);
        }
        const settledS = (Date.now() - settled) / 1000;
        let made = 0;
        let missing = 0;
        const s = config.stores[0];
        for (const symbol of sample) {
          const expected = await truth<{ id: string }>(config, { exchange: 'binanceusdm', type: 'trades', symbol, from: windowFrom, to: windowTo });
          const result = await storeClient(s).query({ query: `SELECT DISTINCT trade_id FROM ${s.database}.trades WHERE exchange = 'binanceusdm' AND symbol = '${symbol}' AND event_time >= ${windowFrom} AND event_time <= ${windowTo}`, format: 'JSONEachRow' });
          const held = new Set((await result.json<{ trade_id: string }>()).map((r) => r.trade_id));
          made += expected.length;
          missing += expected.filter((t) => !held.has(t.id)).length;
        }
        lags.sort((a, b) => a - b);
        return {
          symbols: INSTRUMENTS + 2,
          collectors: members.length,
          all_polled_s: Math.round(allPolledS),
          rows_s: Math.round(rows / ((windowTo - windowFrom) / 1000)),
          lag_p50_s: percentile(lags, 50) / 1000,
          lag_p95_s: percentile(lags, 95) / 1000,
          lag_max_s: lags[lags.length - 1] / 1000,
          sample_cursors_past_window_after_s: Math.round(settledS),
          sample_trades: made,
          sample_missing: missing,
        };
      } finally {
        await client.workflow.getHandle(`collect/binanceusdm/trades/all`).cancel().catch(() => undefined);
        await client.connection.close();
        for (const w of workers) w.kill('SIGTERM');
        await Promise.all(workers.map((w) => new Promise((resolve) => (w.exitCode !== null ? resolve(null) : w.once('exit', resolve)))));
      }
    },
    {},
    (doc) => {
      doc.simulator.instruments = INSTRUMENTS;
      doc.simulator.tradesPerSecond = 2;
      doc.exchanges.binanceusdm.enableRateLimit = false;
      doc.reliability = { rateLimits: { defaults: { collection: 1_000, trades: 1_000 } } };
      doc.backup = { schedule: { enabled: false } };
    },
  );
}
