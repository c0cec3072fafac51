/**
 * Recovery time after an exchange outage: from the moment the simulator's outage ends to the first
 * successful fetch of each collector. Target: p95 ≤ 5 s (the original design asked for 30 s).
 * Default policies (seed values), a real Temporal server, ClickHouse stores and the simulator.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { collectQueue, STORAGE_QUEUE } from '../src/domain/task-queues';
import { temporalClient } from '../src/client/client';
import { collectorStatus, startCollector } from '../src/client/collectors';
import { startWorkers } from '../src/workers/start-workers';
import { clearFaults, setFault } from '../test/support/simulator-admin';
import { percentile, withStack } from './stack';

const ROUNDS = Number(process.env.BENCH_RECOVERY_ROUNDS ?? 6);
const SYMBOLS = ['BTC/USDT:USDT', 'ETH/USDT:USDT', 'BTC/USDT', 'ETH/USDT'];

export async function benchRecovery(): Promise<Record<string, number>> {
  return withStack(async (config) => {
    const workers = await startWorkers(config, { queues: [collectQueue('okx'), STORAGE_QUEUE], identity: 'bench-recovery' });
    const client = await temporalClient(config);
    const ids: string[] = [];
    try {
      for (const symbol of SYMBOLS) ids.push((await startCollector(client, config, { exchange: 'okx', dataType: 'trades', symbols: [symbol], intervalMs: 500 })).workflowId);
      const lastSuccess = async (id: string) => (await collectorStatus(client, id)).lastSuccessTime ?? 0;
      const waitForSuccessAfter = async (id: string, t: number) => {
        for (;;) {
          const last = await lastSuccess(id);
          if (last > t) return last - t;
          await delay(50);
        }
      };
      await Promise.all(ids.map((id) => waitForSuccessAfter(id, 0)));
      const samples: number[] = [];
      for (let round = 1; round <= ROUNDS; round++) {
        const outageMs = 5_000 + Math.round(Math.random() * 10_000);
        await setFault(config, { exchange: 'okx', mode: 'outage' });
        await delay(outageMs);
        await clearFaults(config);
        const ended = Date.now();
        const recoveries = await Promise.all(ids.map((id) => waitForSuccessAfter(id, ended)));
        samples.push(...recoveries);
        process.stdout.write(`  round ${round}: outage ${(outageMs / 1000).toFixed(1)} s → recovered in ${recoveries.map((r) => (r / 1000).toFixed(2)).join(', ')} s\n`);
      }
      samples.sort((a, b) => a - b);
      return { samples: samples.length, p50_s: percentile(samples, 50) / 1000, p95_s: percentile(samples, 95) / 1000, max_s: samples[samples.length - 1] / 1000 };
    } finally {
      for (const id of ids) await client.workflow.getHandle(id).terminate('bench done').catch(() => undefined);
      await client.connection.close();
      await workers.shutdown();
    }
  });
}
