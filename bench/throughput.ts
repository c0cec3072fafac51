/**
 * `npm run bench -- throughput` (issue 11): trades drained from a simulator emitting far more than anything
 * drains (10,000 trades/s per symbol; binance and binanceusdm, BTC and ETH), ccxt's request spacing off and the
 * token buckets raised, so the figures are MarketPrism's own cost, not the exchanges' limits:
 *  (a) the plain loop a user would write (bench/plain-loop.ts: fetchTrades by id + insert into 3 stores);
 *  (b) MarketPrism's collectors (one per symbol) at W = 2 of 3 with 1, 2 and 3 worker processes: rows written at
 *      quorum (so present in at least 2 stores) per second over a steady window, inserts (parts) per minute and
 *      disk used by the trades table, CPU and peak RSS per component;
 *  (c) backfill of a fixed past range of the same symbols (BackfillWorkflow, parallel chunks, the 3 workers).
 * Windows: BENCH_STEADY_MS (default 60 s) after BENCH_WARMUP_MS (15 s). Never part of `npm test`.
 */
import { spawn, type ChildProcess, execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { loadConfig } from '../src/config/load';
import type { Config } from '../src/config/schema';
import { temporalClient } from '../src/client/client';
import { collectorStatus, startCollector } from '../src/client/collectors';
import { startBackfill, waitForBackfill } from '../src/client/backfills';
import { servicesStatus } from '../src/services/stack';
import { storeClient } from '../src/storage/client';
import { migrateStore } from '../src/storage/migrate';
import { withStack } from './stack';

const STEADY_MS = Number(process.env.BENCH_STEADY_MS ?? 60_000);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 15_000);
const RATE = 10_000;
const BACKFILL_SECONDS = Number(process.env.BENCH_BACKFILL_SECONDS ?? 20);
const PAIRS: Array<[string, string]> = [['binance', 'BTC/USDT'], ['binance', 'ETH/USDT'], ['binanceusdm', 'BTC/USDT:USDT'], ['binanceusdm', 'ETH/USDT:USDT']];
const execFileAsync = promisify(execFile);

function procStat(pid: number): { cpu: number; rssMb: number; hwmMb: number } {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    cpu: (Number(fields[11]) + Number(fields[12])) / 100,
    rssMb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024,
    hwmMb: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024,
  };
}

/** BENCH_CPU_PROF=<dir>: each worker writes a V8 CPU profile there when it exits (bench/profile-summary.ts reads it). */
function startWorker(file: string): ChildProcess {
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  return spawn(process.execPath, [...profile, path.resolve(__dirname, '../bin/marketprism.js'), 'worker', '--no-metrics'], {
    env: { ...process.env, MARKETPRISM_CONFIG: file, MARKETPRISM_LOG_LEVEL: 'error' },
    stdio: 'ignore',
  });
}

/** Inserts into the trades table so far (MergeTree numbers every insert's block) and its bytes on disk, per store. */
async function partsAndDisk(config: Config): Promise<{ blocks: number; diskMb: number }> {
  let blocks = 0;
  let disk = 0;
  for (const s of config.stores) {
    const r = await storeClient(s).query({ query: `SELECT toString(max(max_block_number)) AS b, toString(sum(bytes_on_disk)) AS d FROM system.parts WHERE database = '${s.database}' AND table = 'trades' AND active`, format: 'JSONEachRow' });
    const [row] = await r.json<{ b: string; d: string }>();
    blocks += Number(row.b);
    disk += Number(row.d);
  }
  return { blocks, diskMb: disk / 2 ** 20 };
}

export async function benchThroughput(): Promise<Record<string, number>> {
  const figures: Record<string, number> = {};
  await withStack(
    async (_c, file) => {
      const config = loadConfig(file);
      const services = await servicesStatus(config);
      const pidOf = (name: string): number[] => services.filter((s) => s.name.startsWith(name) && s.pid).map((s) => s.pid as number);
      const servicePids = { temporal: pidOf('temporal'), clickhouse: pidOf('clickhouse'), simulator: pidOf('simulator') };
      const cpuOf = (pids: number[]): number => pids.reduce((n, pid) => n + procStat(pid).cpu, 0);
      for (const s of config.stores) await migrateStore(storeClient(s), 'plain');

      // (a) the plain loop
      const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'plain-loop.ts'), file, 'plain', String(WARMUP_MS), String(STEADY_MS), PAIRS.map(([e, s]) => `${e}:${s}`).join(',')], { maxBuffer: 1 << 20 });
      const plain = JSON.parse(stdout.trim().split('\n').at(-1) as string) as { rowsPerSec: number; cpuSeconds: number; maxRssMb: number };
      Object.assign(figures, { plain_rows_s: Math.round(plain.rowsPerSec), plain_cpu_pct: Math.round((100 * plain.cpuSeconds) / (STEADY_MS / 1000)), plain_peak_rss_mb: Math.round(plain.maxRssMb) });
      process.stdout.write(`  (a) plain loop: ${Math.round(plain.rowsPerSec)} rows/s into 3 stores\n`);

      // (b) collectors at W = 2 of 3 with 1, 2, 3 worker processes
      const client = await temporalClient(config);
      const workers: ChildProcess[] = [];
      const ids: string[] = [];
      const collectorsStart = Date.now();
      try {
        for (const [exchange, symbol] of PAIRS) ids.push((await startCollector(client, config, { exchange, dataType: 'trades', symbols: [symbol], intervalMs: 1_000 })).workflowId);
        for (const n of [1, 2, 3]) {
          workers.push(startWorker(file));
          await delay(WARMUP_MS);
          const rowsBefore = (await Promise.all(ids.map((id) => collectorStatus(client, id)))).reduce((sum, s) => sum + s.rowsWritten, 0);
          const cpuBefore = { workers: workers.map((w) => procStat(w.pid!).cpu), temporal: cpuOf(servicePids.temporal), clickhouse: cpuOf(servicePids.clickhouse), simulator: cpuOf(servicePids.simulator) };
          const partsBefore = await partsAndDisk(config);
          const t0 = Date.now();
          await delay(STEADY_MS);
          const seconds = (Date.now() - t0) / 1000;
          const rowsAfter = (await Promise.all(ids.map((id) => collectorStatus(client, id)))).reduce((sum, s) => sum + s.rowsWritten, 0);
          const partsAfter = await partsAndDisk(config);
          const pct = (now: number, before: number): number => Math.round((100 * (now - before)) / seconds);
          const rows = (rowsAfter - rowsBefore) / seconds;
          Object.assign(figures, {
            [`w${n}_rows_s`]: Math.round(rows),
            [`w${n}_vs_plain_pct`]: Math.round((100 * rows) / plain.rowsPerSec),
            [`w${n}_worker_cpu_pct`]: workers.reduce((sum, w, i) => sum + pct(procStat(w.pid!).cpu, cpuBefore.workers[i]), 0),
            [`w${n}_clickhouse_cpu_pct`]: pct(cpuOf(servicePids.clickhouse), cpuBefore.clickhouse),
            [`w${n}_temporal_cpu_pct`]: pct(cpuOf(servicePids.temporal), cpuBefore.temporal),
            [`w${n}_simulator_cpu_pct`]: pct(cpuOf(servicePids.simulator), cpuBefore.simulator),
            [`w${n}_worker_peak_rss_mb`]: Math.max(...workers.map((w) => Math.round(procStat(w.pid!).hwmMb))),
            [`w${n}_parts_per_min`]: Math.round(((partsAfter.blocks - partsBefore.blocks) * 60) / seconds),
            [`w${n}_trades_disk_mb`]: Math.round(partsAfter.diskMb),
          });
          process.stdout.write(`  (b) ${n} worker(s): ${Math.round(rows)} rows/s at quorum, ${figures[`w${n}_parts_per_min`]} inserts/min into trades (3 stores)\n`);
        }
        await Promise.all(ids.map((id) => client.workflow.getHandle(id).terminate('bench: collectors done').catch(() => undefined)));

        // (c) backfill of a fixed range before the collectors began
        const toTime = collectorsStart - 5_000;
        const fromTime = toTime - BACKFILL_SECONDS * 1_000;
        const started = Date.now();
        const { handle } = await startBackfill(client, config, { exchange: 'binanceusdm', symbols: ['BTC/USDT:USDT', 'ETH/USDT:USDT'], fromTime, toTime, chunkMs: 2_000, parallelism: 6 });
        const done = await waitForBackfill(handle);
        const seconds = (Date.now() - started) / 1000;
        Object.assign(figures, { backfill_rows: done.rows, backfill_rows_s: Math.round(done.rows / seconds), backfill_missing: done.missing, backfill_failed_chunks: done.failed.length });
        process.stdout.write(`  (c) backfill: ${done.rows} rows in ${seconds.toFixed(1)} s\n`);
      } finally {
        await Promise.all(ids.map((id) => client.workflow.getHandle(id).terminate('bench done').catch(() => undefined)));
        await client.connection.close();
        for (const w of workers) w.kill('SIGTERM');
        await Promise.all(workers.map((w) => new Promise((resolve) => (w.exitCode !== null ? resolve(null) : w.once('exit', resolve)))));
      }
    },
    {},
    (doc) => {
      doc.simulator.tradesPerSecond = RATE;
      for (const id of ['binance', 'binanceusdm']) doc.exchanges[id].enableRateLimit = false;
      doc.reliability = { rateLimits: { defaults: { collection: 1_000, trades: 1_000 } } };
      doc.backup = { schedule: { enabled: false } };
    },
  );
  return figures;
}
