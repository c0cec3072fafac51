/**
 * Recovery time after outages of exchanges and of stores, for outages of 2 s, 15 s, 60 s and 5 min plus random
 * lengths, several trials each (issue #13). Target: worst case ≤ 5 s
 *  - exchange outage: from the moment the simulator's outage ends to the next row stored by every affected
 *    collector: its symbol's first trade ingested after that moment in at least writeQuorum stores (ingest_time);
 *  - store outage: from the moment the restarted store answers a ping to the next batch it acknowledges (a new
 *    entry in its ledger, from a collector's write or its repair).
 * Each exchange trial also prints how much backoff the held fetches still had to wait when the outage ended
 * (the gate's hold): without the recovery gate that is about what they would have waited. Outages start at
 * random points of the collectors' cycles, so they end at different points of the backoff schedule.
 * Exchange trials (okx collectors) and store trials (replica-2, binanceusdm collectors writing) run side by side.
 * Default policies, a real Temporal server, three ClickHouse stores and the simulator.
 *   BENCH_RECOVERY_LENGTHS=2,15,60,300  BENCH_RECOVERY_TRIALS=3  BENCH_RECOVERY_LONG_TRIALS=2  BENCH_RECOVERY_RANDOM=4
 *   BENCH_RECOVERY_KINDS=exchange,store
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Config } from '../src/config/schema';
import { collectQueue, STORAGE_QUEUE } from '../src/domain/task-queues';
import { temporalClient } from '../src/client/client';
import { startCollector } from '../src/client/collectors';
import { startStore, stopStore } from '../src/services/clickhouse';
import { storeClient } from '../src/storage/client';
import { BATCHES_TABLE, MARKET_TABLES } from '../src/storage/tables';
import { startWorkers, type RunningWorkers } from '../src/workers/start-workers';
import { clearFaults, setFault } from '../test/support/simulator-admin';
import { percentile, withStack } from './stack';

const LENGTHS_S = (process.env.BENCH_RECOVERY_LENGTHS ?? '2,15,60,300').split(',').map(Number);
const TRIALS = Number(process.env.BENCH_RECOVERY_TRIALS ?? 3);
const RANDOM = Number(process.env.BENCH_RECOVERY_RANDOM ?? 4);
/** trials of outages of 5 min or more (each one is that long) */
const LONG_TRIALS = Number(process.env.BENCH_RECOVERY_LONG_TRIALS ?? 2);
const KINDS = (process.env.BENCH_RECOVERY_KINDS ?? 'exchange,store').split(',');
const SYMBOLS = ['BTC/USDT:USDT', 'ETH/USDT:USDT', 'BTC/USDT', 'ETH/USDT'];
/** a trial whose recovery takes longer than this is recorded as this long (and the bench goes on) */
const GIVE_UP_MS = 120_000;

/** Outage lengths in ms: each fixed length TRIALS times (5-min ones LONG_TRIALS times), plus RANDOM lengths in [2 s, 90 s]. */
function plan(): number[] {
  const fixed = LENGTHS_S.flatMap((s) => Array.from({ length: s >= 300 ? LONG_TRIALS : TRIALS }, () => s * 1000));
  const random = Array.from({ length: RANDOM }, () => 2_000 + Math.round(Math.random() * 88_000));
  return [...fixed, ...random];
}

async function until<T>(check: () => Promise<T | undefined>, timeoutMs = GIVE_UP_MS): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    await delay(50);
  }
  return undefined;
}

function summary(samples: number[]): Record<string, number> {
  const sorted = [...samples].sort((a, b) => a - b);
  return { samples: sorted.length, p50_s: percentile(sorted, 50) / 1000, p95_s: percentile(sorted, 95) / 1000, worst_s: (sorted.at(-1) ?? NaN) / 1000 };
}

/** Epoch ms of the first okx trade of `symbol` a store ingested after t (its ingest_time), if any. */
async function firstIngestAfter(store: Config['stores'][number], symbol: string, t: number): Promise<number | undefined> {
  const sql = `SELECT min(ingest_time) AS t, count() AS n FROM ${store.database}.${MARKET_TABLES.trades.name} WHERE exchange = 'okx' AND symbol = '${symbol}' AND ingest_time > ${Math.floor(t)}`;
  const [row] = await (await storeClient(store).query({ query: sql, format: 'JSONEachRow' })).json<{ t: string; n: string }>();
  return Number(row.n) > 0 ? Number(row.t) : undefined;
}

async function exchangeTrials(config: Config, workers: RunningWorkers): Promise<number[]> {
  const client = await temporalClient(config);
  const ids: string[] = [];
  const samples: number[] = [];
  try {
    for (const symbol of SYMBOLS) ids.push((await startCollector(client, config, { exchange: 'okx', dataType: 'trades', symbols: [symbol], intervalMs: 500 })).workflowId);
    // stored = in at least `writeQuorum` stores: the first row ingested after t, per the stores' own ingest_time
    const storedAfter = (symbol: string, t: number) => until(async () => {
      const firsts = await Promise.all(config.stores.map((store) => firstIngestAfter(store, symbol, t).catch(() => undefined)));
      const times = firsts.filter((x): x is number => x !== undefined).sort((a, b) => a - b);
      return times.length >= config.writeQuorum ? times[config.writeQuorum - 1] - t : undefined;
    });
    await Promise.all(SYMBOLS.map((symbol) => storedAfter(symbol, 0)));
    const gate = workers.reliability.gates.get('exchange:okx');
    for (const outageMs of plan()) {
      await delay(Math.random() * 3_000); // start anywhere in the collectors' cycle
      await setFault(config, { exchange: 'okx', mode: 'outage' });
      await delay(outageMs);
      const backoffLeft = gate.remainingMs();
      await clearFaults(config);
      const ended = Date.now();
      const recoveries = await Promise.all(SYMBOLS.map(async (symbol) => (await storedAfter(symbol, ended)) ?? GIVE_UP_MS));
      samples.push(...recoveries);
      process.stdout.write(`  exchange outage ${(outageMs / 1000).toFixed(1)} s (backoff left ${(backoffLeft / 1000).toFixed(1)} s) → every collector's next row stored in ${recoveries.map((r) => (r / 1000).toFixed(2)).join(', ')} s\n`);
    }
    return samples;
  } finally {
    await clearFaults(config);
    for (const id of ids) await client.workflow.getHandle(id).terminate('bench done').catch(() => undefined);
    await client.connection.close();
  }
}

async function storeTrials(config: Config): Promise<number[]> {
  const client = await temporalClient(config);
  const victim = config.stores[2];
  const ids: string[] = [];
  const samples: number[] = [];
  const ledgerSize = async (): Promise<number> => {
    const result = await storeClient(victim).query({ query: `SELECT count() AS n FROM ${victim.database}.${BATCHES_TABLE.name}`, format: 'JSONEachRow' });
    const [row] = await result.json<{ n: string }>();
    return Number(row.n);
  };
  try {
    // writes keep coming: a batch a second or so per collector
    for (const symbol of SYMBOLS) ids.push((await startCollector(client, config, { exchange: 'binanceusdm', dataType: 'trades', symbols: [symbol], intervalMs: 500 })).workflowId);
    await until(async () => ((await ledgerSize()) > 0 ? true : undefined));
    for (const outageMs of plan()) {
      await delay(Math.random() * 3_000);
      await stopStore(victim, config.dataDir);
      await delay(outageMs);
      await startStore(victim, config.dataDir);
      const answered = Date.now();
      const before = await ledgerSize();
      const recovery = (await until(async () => ((await ledgerSize()) > before ? Date.now() - answered : undefined))) ?? GIVE_UP_MS;
      samples.push(recovery);
      process.stdout.write(`  store outage ${(outageMs / 1000).toFixed(1)} s → ${victim.id} acknowledged a batch ${(recovery / 1000).toFixed(2)} s after answering again\n`);
    }
    return samples;
  } finally {
    await startStore(victim, config.dataDir).catch(() => undefined);
    for (const id of ids) await client.workflow.getHandle(id).terminate('bench done').catch(() => undefined);
    await client.connection.close();
  }
}

export async function benchRecovery(): Promise<Record<string, number>> {
  return withStack(async (config) => {
    const workers = await startWorkers(config, { queues: [collectQueue('okx'), collectQueue('binanceusdm'), STORAGE_QUEUE], identity: 'bench-recovery' });
    const figures: Record<string, number> = {};
    try {
      // exchange and store trials run side by side (different collectors, different dependencies): half the time,
      // and each recovery is measured while the other kind of outage may be going on
      const [exchange, store] = await Promise.all([
        KINDS.includes('exchange') ? exchangeTrials(config, workers) : undefined,
        KINDS.includes('store') ? storeTrials(config) : undefined,
      ]);
      if (exchange) for (const [k, v] of Object.entries(summary(exchange))) figures[`exchange_${k}`] = v;
      if (store) for (const [k, v] of Object.entries(summary(store))) figures[`store_${k}`] = v;
      return figures;
    } finally {
      await workers.shutdown();
    }
  });
}
