import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import type { Client, WorkflowHandle } from '@temporalio/client';
import type { Config, StoreConfig } from '../../src/config/schema';
import type { Batch } from '../../src/domain/batch';
import type { TradeRow } from '../../src/domain/rows';
import { STORAGE_QUEUE } from '../../src/domain/task-queues';
import { startStore, stopStore } from '../../src/services/clickhouse';
import { storeClient } from '../../src/storage/client';
import type { RedundantWriteResult } from '../../src/workflows/redundant-write';
import { eventually } from '../support/wait';

/**
 * Shared by the redundant-write tests: trade batches with their own symbol and far-future event times (so
 * `replicas check --since` sees only this test's rows), writes started the way the collector starts them,
 * what each store holds, and worker child processes that can be killed -9.
 */

/** 2031-01-01: later than anything the simulator or other tests write. */
export const TEST_EPOCH = Date.UTC(2031, 0, 1);

export function tradeBatches(prefix: string, symbol: string, batches: number, rowsPerBatch: number, baseTime = TEST_EPOCH): Array<Batch<'trades'>> {
  return Array.from({ length: batches }, (_, b) => ({
    batchId: `${prefix}-${b}`,
    table: 'trades' as const,
    rows: Array.from({ length: rowsPerBatch }, (_, i): TradeRow => {
      const n = b * rowsPerBatch + i;
      return {
        exchange: 'okx',
        marketType: 'swap',
        symbol,
        nativeSymbol: symbol.replace('/', '-'),
        eventTime: baseTime + n * 10,
        receiveTime: baseTime + n * 10 + 3,
        tradeId: `${prefix}-t${n}`,
        price: 40_000 + n / 7,
        amount: 0.001 * (1 + (n % 13)),
        side: n % 2 ? 'buy' : 'sell', contractSize: null, baseAmount: null, quoteAmount: null,
      };
    }),
  }));
}

export function writeWorkflowId(batch: Batch): string {
  return `write/${batch.batchId}`;
}

export function startWrite(client: Client, config: Config, batch: Batch, workflowId = writeWorkflowId(batch)): Promise<WorkflowHandle> {
  return client.workflow.start('RedundantWriteWorkflow', {
    workflowId,
    taskQueue: STORAGE_QUEUE,
    args: [{ batch, stores: config.stores.map((s) => s.id), quorum: config.writeQuorum }],
  });
}

export function resultOf(client: Client, batch: Batch): Promise<RedundantWriteResult> {
  return client.workflow.getHandle(writeWorkflowId(batch)).result() as Promise<RedundantWriteResult>;
}

export interface Holding {
  /** ledger entries of the test's batches (FINAL) */
  ledger: number;
  /** rows of the symbol, one per (natural key, batch) (FINAL): a trade stored under two batch ids counts twice */
  rows: number;
  /** distinct trade ids among them */
  distinctTrades: number;
  /** the symbol's rows whose trade id is not one the test sent */
  foreign: number;
}

/** What a store holds of one test's symbol and batches. */
export async function holding(store: StoreConfig, symbol: string, batchPrefix: string, sentTradeIds: ReadonlySet<string>): Promise<Holding> {
  const client = storeClient(store);
  const db = store.database;
  const q = async <T>(query: string): Promise<T[]> => (await client.query({ query, format: 'JSONEachRow' })).json<T>();
  const [ledger] = await q<{ n: string }>(`SELECT toString(count()) AS n FROM ${db}.batches FINAL WHERE startsWith(batch_id, '${batchPrefix}-')`);
  const ids = await q<{ trade_id: string }>(`SELECT trade_id FROM ${db}.trades FINAL WHERE symbol = '${symbol}'`);
  const distinct = new Set(ids.map((r) => r.trade_id));
  return {
    ledger: Number(ledger.n),
    rows: ids.length,
    distinctTrades: distinct.size,
    foreign: [...distinct].filter((id) => !sentTradeIds.has(id)).length,
  };
}

export function tradeIdsOf(batches: ReadonlyArray<Batch<'trades'>>): Set<string> {
  return new Set(batches.flatMap((b) => b.rows.map((r) => r.tradeId)));
}

/** Stops a store of the test stack (its data dir stays); `restart` brings it back healthy. */
export async function stopTestStore(config: Config, store: StoreConfig): Promise<void> {
  await stopStore(store, config.dataDir);
}

export async function restartTestStore(config: Config, store: StoreConfig): Promise<void> {
  await startStore(store, config.dataDir);
}

const BIN = path.resolve(__dirname, '../../bin/marketprism.js');

/** `marketprism worker --queues storage` in its own process, so a test can kill -9 it. */
export interface WorkerProcess {
  child: ChildProcess;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnStorageWorker(): WorkerProcess {
  const child = spawn(process.execPath, [BIN, 'worker', '--queues', STORAGE_QUEUE], {
    env: { ...process.env, MARKETPRISM_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (text = (text + d).slice(-20_000)));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (text = (text + d).slice(-20_000)));
  const exited = once(child, 'exit');
  return {
    child,
    output: () => text,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Waits until a worker process has polled and completed at least one task: a write workflow finishing. */
export async function waitForWorkflows(client: Client, ids: string[], timeoutMs: number): Promise<void> {
  await eventually(`${ids.length} workflows completed`, async () => {
    for (const id of ids) {
      const d = await client.workflow.getHandle(id).describe();
      if (d.status.name !== 'COMPLETED') return undefined;
    }
    return true;
  }, timeoutMs, 500);
}
