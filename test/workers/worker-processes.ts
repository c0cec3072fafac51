import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import { parse, stringify } from 'yaml';
import type { Config, StoreConfig } from '../../src/config/schema';
import { parseConfig } from '../../src/config/load';
import type { QueueSlots, WorkerReport } from '../../src/client/workers';
import type { TaskQueueReport } from '../../src/client/task-queues';
import { storeClient } from '../../src/storage/client';
import { runCli } from '../support/cli';
import { truth } from '../support/simulator-admin';
import { quoted, storedRows } from '../workflows/collector-fixture';
import { eventually } from '../support/wait';

/**
 * Shared by the worker scaling tests: `marketprism worker` child processes (killable with any signal), a
 * config whose workers heartbeat every second, `status --json` as an autoscaler would read it, and what the
 * stores hold compared with the simulator's ground truth.
 */

const BIN = path.resolve(__dirname, '../../bin/marketprism.js');

/**
 * The test stack's config with `worker:` and per-exchange settings changed, written to a file of its own.
 * Workers heartbeat every second here, so `status` sees a change within about a second.
 */
export function scaleConfig(worker: Record<string, unknown> = {}, exchangeTimeouts: Record<string, string> = {}, database?: string): { file: string; config: Config } {
  const file = scaleConfigFile(worker, exchangeTimeouts, database);
  return { file, config: parseConfig(readFileSync(file, 'utf8'), file) };
}

/**
 * The same file, not validated here: for tests of what the command says about a bad one. `database`: the stores'
 * database, for a test that must not see what other tests stored.
 */
export function scaleConfigFile(worker: Record<string, unknown> = {}, exchangeTimeouts: Record<string, string> = {}, database?: string): string {
  const doc = parse(readFileSync(process.env.MARKETPRISM_CONFIG as string, 'utf8')) as Record<string, unknown>;
  if (database) doc.stores = (doc.stores as Array<Record<string, unknown>>).map((store) => ({ ...store, database }));
  const exchanges = { ...(doc.exchanges as Record<string, Record<string, unknown>>) };
  for (const [id, timeout] of Object.entries(exchangeTimeouts)) exchanges[id] = { ...exchanges[id], timeout };
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'marketprism-workers-')), 'marketprism.yaml');
  writeFileSync(file, stringify({ ...doc, exchanges, worker: { heartbeatInterval: '1s', ...worker } }));
  return file;
}

export interface WorkerProcess {
  child: ChildProcess;
  /** the identity Temporal sees: the SDK's default, `<pid>@<host>` */
  identity: string;
  output(): string;
  /** resolves with the exit code (null after a signal) once the process has exited */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** `marketprism --config FILE worker ARGS…` in its own process. */
export function spawnWorker(configFile: string, args: string[]): WorkerProcess {
  const child = spawn(process.execPath, [BIN, '--config', configFile, 'worker', '--no-metrics', ...args], {
    env: { ...process.env, MARKETPRISM_LOG_LEVEL: 'info', MARKETPRISM_LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (text = (text + d).slice(-50_000)));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (text = (text + d).slice(-50_000)));
  const exited = once(child, 'exit').then(([code, signal]) => ({ code: code as number | null, signal: signal as NodeJS.Signals | null, at: Date.now() }));
  return {
    child,
    identity: `${child.pid}@${os.hostname()}`,
    output: () => text,
    exited,
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Ends every process still running: for `after` hooks. */
export async function killAll(workers: readonly WorkerProcess[]): Promise<void> {
  await Promise.all(workers.map((w) => w.kill('SIGKILL')));
}

export interface StatusJson {
  queues: TaskQueueReport[] | null;
  slots: QueueSlots[] | null;
  workers: WorkerReport[] | null;
}

/** `marketprism status --json`, whatever its exit code (3 only says something else is unhealthy). */
export async function status(configFile: string): Promise<StatusJson> {
  const result = await runCli(['--config', configFile, 'status', '--json']);
  if (!result.stdout.trim()) throw new Error(`status printed nothing (exit ${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as StatusJson;
}

/** The identities of the workers that ran the activity and workflow tasks recorded in a workflow's history. */
export async function taskIdentities(client: Client, workflowId: string): Promise<{ activities: Set<string>; workflowTasks: Set<string> }> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const activities = new Set<string>();
  const workflowTasks = new Set<string>();
  for (const e of history.events ?? []) {
    if (e.activityTaskStartedEventAttributes?.identity) activities.add(e.activityTaskStartedEventAttributes.identity);
    if (e.workflowTaskStartedEventAttributes?.identity) workflowTasks.add(e.workflowTaskStartedEventAttributes.identity);
  }
  return { activities, workflowTasks };
}

/** Stored trade ids of one symbol ingested since `since`, in exchange order (ids are numbers on okx), with their event-time span. */
export async function storedTrades(config: Config, exchange: string, symbol: string, since: number, store: StoreConfig): Promise<{ ids: string[]; from: number; to: number }> {
  const rows = await storedRows(config, 'trades', exchange, symbol, since, store);
  const ids = rows.map((r) => BigInt(r.tradeId)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String);
  return { ids, from: Math.min(...rows.map((r) => r.eventTime)), to: Math.max(...rows.map((r) => r.eventTime)) };
}

/** The simulator's trade ids from the first to the last stored one: what complete storage holds. */
export async function truthTradeIds(config: Config, exchange: string, symbol: string, stored: { ids: string[]; from: number; to: number }): Promise<string[]> {
  const [first, last] = [BigInt(stored.ids[0]), BigInt(stored.ids.at(-1)!)];
  const emitted = await truth<{ id: string }>(config, { exchange, type: 'trades', symbol, from: stored.from, to: stored.to });
  return emitted.map((t) => t.id).filter((id) => BigInt(id) >= first && BigInt(id) <= last);
}

/**
 * Trades of the symbol ingested since `since` stored under more than one batch (FINAL: one row per natural key
 * and batch): a trade written twice by two workers under different batch ids would show here.
 */
export async function duplicateTrades(store: StoreConfig, exchange: string, symbol: string, since: number): Promise<number> {
  const result = await storeClient(store).query({
    // literals, not query parameters: the stack runs ClickHouse releases as old as 18.16, which has none
    query: `SELECT toString(count() - uniqExact(trade_id)) AS n FROM ${store.database}.trades FINAL WHERE exchange = ${quoted(exchange)} AND symbol = ${quoted(symbol)} AND ingest_time >= ${Math.floor(since)}`,
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ n: string }>();
  return Number(row.n);
}

/**
 * Every store holds exactly the simulator's trades of the symbol ingested since `since` (first to last stored
 * id), none under two batches; returns those trade ids. At W = 2 of 3 a store may still be getting its copy of the
 * last batches, so it first waits (up to a minute) until the stores agree in size.
 */
export async function assertStoresHoldTruth(config: Config, exchange: string, symbol: string, since: number): Promise<string[]> {
  const read = () => Promise.all(config.stores.map((store) => storedTrades(config, exchange, symbol, since, store)));
  const held = await eventually(`${symbol}: every store to hold as many trades`, async () => {
    const all = await read();
    return all.every((h) => h.ids.length > 0 && h.ids.length === all[0].ids.length) ? all : undefined;
  }, 60_000, 500).catch(read);
  const expected = await truthTradeIds(config, exchange, symbol, held[0]);
  assert.ok(expected.length > 0, `${symbol}: trades were stored`);
  for (const [k, store] of config.stores.entries()) {
    assert.deepEqual(held[k].ids, expected, `${symbol}: ${store.id} holds exactly the simulator's trades`);
    assert.equal(await duplicateTrades(store, exchange, symbol, since), 0, `${symbol}: ${store.id} holds no trade under two batches`);
  }
  return expected;
}
