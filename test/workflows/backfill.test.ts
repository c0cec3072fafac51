import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { temporalClient } from '../../src/client/client';
import { startCollector, stopCollector } from '../../src/client/collectors';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { collectQueue, STORAGE_QUEUE } from '../../src/domain/task-queues';
import { storeClient } from '../../src/storage/client';
import { startWorkers, type RunningWorkers } from '../../src/workers/start-workers';
import type { BackfillProgress } from '../../src/workflows/backfill-api';
import type { RunningSimulator } from '../../simulator/server';
import { assertOneLineError, runCli } from '../support/cli';
import { truth } from '../support/simulator-admin';
import { ownSimulator } from '../support/own-simulator';
import { eventually } from '../support/wait';
import { quoted } from './collector-fixture';

/**
 * `marketprism backfill` (issue 11, part 4): ten minutes of binanceusdm trades for two symbols, in 2-minute chunks,
 * three at a time, over two workers, one of them a separate process killed (SIGKILL) mid-run; meanwhile a live
 * collector writes BTC. Every trade of the range is stored once (against the simulator's ground truth, id for id),
 * none twice across backfill and collector batches, and the chunks' contiguity checks find no hole.
 */
const BIN = path.resolve(__dirname, '../../bin/marketprism.js');
const BTC = 'BTC/USDT:USDT';
const ETH = 'ETH/USDT:USDT';
const RANGE_MS = 10 * 60_000;

interface TruthTrade {
  id: string;
  timestamp: number;
}

describe('backfill: a past range in parallel chunks, beside a live collector, through a worker kill', () => {
  const base = loadConfig();
  let sim: RunningSimulator;
  let config: Config;
  let file: string;
  let workers: RunningWorkers;
  let other: ChildProcess | undefined;
  let client: Client;
  let live: string | undefined;

  before(async () => {
    ({ sim, config, file } = await ownSimulator(base, 'backfill', ['binanceusdm'], { seed: 77, tradesPerSecond: 20 }));
    client = await temporalClient(config);
    workers = await startWorkers(config, { queues: [collectQueue('binanceusdm'), STORAGE_QUEUE], identity: 'backfill-in-process' });
  });

  after(async () => {
    other?.kill('SIGKILL');
    if (live) await stopCollector(client, live).catch(() => undefined);
    await workers?.shutdown();
    await client?.connection.close();
    await sim?.close();
  });

  it('refuses what it cannot do, in one line', async () => {
    const env = { MARKETPRISM_CONFIG: file };
    await assertOneLineError(['backfill', '--exchange', 'binanceusdm', '--symbols', BTC, '--from', '1h', '--to', '2h'], /--from .* is not before --to .*give an earlier --from/, 2, env);
    await assertOneLineError(['backfill', '--exchange', 'binanceusdm', '--symbols', BTC, '--from', 'yesterday'], /--from 'yesterday' is neither a date\/time like 2026-11-01/, 2, env);
    await assertOneLineError(['backfill', '--exchange', 'binanceusdm', '--type', 'orderbook', '--symbols', BTC, '--from', '1h'], /backfill covers trades/, 2, env);
    await assertOneLineError(['backfill', '--exchange', 'bybit', '--symbols', 'BTC/USDT', '--from', '1h'], /cannot backfill: bybit serves only its latest trades/, 2, env);
    await assertOneLineError(['backfill', '--exchange', 'binanceusdm', '--symbols', 'NOPE/USDT:USDT', '--from', '1h'], /does not list symbol 'NOPE\/USDT:USDT'/, 2, env);
  });

  it('stores every trade of the range once, across chunks, a worker kill and a live collector', async () => {
    const started = Date.now();
    const fromTime = started - RANGE_MS;
    // the live collector: from the exchange's newest trades onward
    live = (await startCollector(client, config, { exchange: 'binanceusdm', dataType: 'trades', symbols: [BTC], intervalMs: 1_000 })).workflowId;
    const stored = (symbol: string): Promise<Array<{ trade_id: string; n: string }>> =>
      storeClient(config.stores[0])
        .query({ query: `SELECT trade_id, toString(count()) AS n FROM ${config.stores[0].database}.trades WHERE exchange = 'binanceusdm' AND symbol = ${quoted(symbol)} AND event_time >= ${fromTime} GROUP BY trade_id`, format: 'JSONEachRow' })
        .then((r) => r.json());
    await eventually('the live collector stored trades', async () => ((await stored(BTC)).length > 0 ? true : undefined), 60_000);

    // a second worker, a process of its own, on the same queues
    other = spawn(process.execPath, [BIN, 'worker', '--queues', `${collectQueue('binanceusdm')},${STORAGE_QUEUE}`, '--no-metrics', '--config', file], { stdio: 'ignore' });
    // up to now (no --to): BTC's range ends at the live collector's newest stored trade, ETH's at now
    const run = runCli(['backfill', '--exchange', 'binanceusdm', '--symbols', `${BTC},${ETH}`, '--from', new Date(fromTime).toISOString(), '--chunk', '2m', '--parallel', '3', '--json', '--config', file]);

    // kill the other worker once chunks are under way
    await eventually('chunks under way', async () => {
      for await (const wf of client.workflow.list({ query: `WorkflowType = 'BackfillWorkflow' AND ExecutionStatus = 'Running'` })) {
        const p = await client.workflow.getHandle(wf.workflowId).query<BackfillProgress>('backfillProgress').catch(() => undefined);
        if (p && p.fromTime === fromTime && p.chunksDone >= 1 && p.chunksDone < p.chunks) return true;
      }
      return undefined;
    }, 120_000, 100);
    other.kill('SIGKILL');

    const result = await run;
    assert.equal(result.code, 0, result.stderr);
    const progress = JSON.parse(result.stdout) as BackfillProgress;
    assert.equal(progress.failed.length, 0, JSON.stringify(progress.failed));
    assert.equal(progress.chunksDone, progress.chunks);
    assert.equal(progress.missing, 0, 'no hole in any chunk');
    const to = progress.toTime;
    // BTC's range ends where the live collector's trades were when the backfill looked: before `to`, or at `to` when
    // the collector had stored past it by then (it keeps collecting while the command starts)
    const btcNewest = Math.max(...(await storeClient(config.stores[0]).query({ query: `SELECT toString(max(event_time)) AS t FROM ${config.stores[0].database}.trades WHERE exchange = 'binanceusdm' AND symbol = ${quoted(BTC)}`, format: 'JSONEachRow' }).then((r) => r.json<{ t: string }>())).map((r) => Number(r.t)));
    assert.ok(progress.ends[BTC] <= to && btcNewest >= progress.ends[BTC], `BTC ends at the live collector's newest stored trade or at ${to}: ${JSON.stringify(progress).slice(0, 600)}`);
    assert.equal(progress.ends[ETH], to);

    await stopCollector(client, live);
    live = undefined;
    for (const symbol of [BTC, ETH]) {
      const rows = await stored(symbol);
      const twice = rows.filter((r) => r.n !== '1');
      assert.deepEqual(twice, [], `${symbol}: no trade stored twice`);
      const held = new Set(rows.map((r) => r.trade_id));
      // the whole range: BTC's older part by the backfill, its newer part by the live collector
      const expected = await truth<TruthTrade>(config, { exchange: 'binanceusdm', type: 'trades', symbol, from: fromTime, to: to - 1 });
      const absent = expected.filter((t) => !held.has(t.id));
      assert.equal(absent.length, 0, `${symbol}: ${absent.length} of ${expected.length} trades missing, first ${JSON.stringify(absent[0])}`);
    }
  });
});
