import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ServiceStatus } from '../../src/services/temporal';
import { runCli, runCliJson, type CliResult } from '../support/cli';
import { writeTestConfig } from '../support/test-config';
import { eventually } from '../support/wait';

/**
 * Issue 12, D: the operator's path through the CLI only, on a stack of its own (its own Temporal, stores,
 * simulator and backup folder on free ports), each step's output asserted: services up → a worker → collectors
 * start → a store dies and comes back → repair → status and data summary agree → a backup runs and a restore
 * test verifies it → services down.
 */
const BIN = path.resolve(__dirname, '../../bin/marketprism.js');
const SYMBOL = 'BTC/USDT:USDT';

interface StatusJson {
  services: ServiceStatus[];
  queues: Array<{ queue: string; workflowPollers: unknown[]; activityPollers: unknown[] }> | null;
  collectors: Array<{ workflowId: string; status: string }> | null;
  unserved: string[];
}
interface SummaryJson {
  stores: Array<{ store: string; series: Array<{ exchange: string; dataType: string; symbol: string; rows: number }> }>;
}

describe('the operator\'s path, through the CLI only', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mp-operator-'));
  let file = '';
  let worker: ChildProcess | undefined;
  let workerLog = '';
  // no backup key given: the first `backup run` generates one in the data directory and says so (docs/backups.md)
  const cli = (args: string[]): Promise<CliResult> => runCli(['--config', file, ...args]);
  const cliJson = <T>(args: string[]): Promise<T> => runCliJson<T>(['--config', file, ...args]);

  before(async () => {
    ({ file } = await writeTestConfig(dir, { backup: { dir: path.join(dir, 'backups') } }));
  });
  after(async () => {
    worker?.kill('SIGKILL');
    await cli(['services', 'down']);
  });

  it('services up → collect → a store dies and returns → repair → status and data agree → backup and restore test → services down', async () => {
    // 1. services
    const up = await cli(['services', 'up']);
    assert.equal(up.code, 0, up.stderr);
    for (const name of ['temporal', 'clickhouse primary', 'clickhouse replica-1', 'clickhouse replica-2', 'simulator']) assert.match(up.stdout, new RegExp(`${name}.*127\\.0\\.0\\.1:\\d+`), up.stdout);
    const migrated = await cli(['migrate']);
    assert.equal(migrated.code, 0, migrated.stderr);

    // 2. a worker (as `marketprism worker` in another terminal), serving every queue
    worker = spawn(process.execPath, [BIN, '--config', file, 'worker', '--no-metrics'], { stdio: ['ignore', 'pipe', 'pipe'] });
    worker.stdout?.setEncoding('utf8').on('data', (d: string) => (workerLog += d));
    worker.stderr?.setEncoding('utf8').on('data', (d: string) => (workerLog += d));

    // 3. collectors
    const started = await cli(['collect', 'start', '--exchange', 'okx', '--type', 'trades,orderbook', '--symbols', SYMBOL, '--interval', '500ms']);
    assert.equal(started.code, 0, started.stderr);
    assert.deepEqual(started.stdout.trim().split('\n').map((l) => l.replace(/: .*/, '')), ['started', 'started']);
    let lastStatus = '';
    const running = await eventually('status: every queue served, both collectors listed as running and writing', async () => {
      const r = await cli(['status', '--json']);
      const l = await cli(['collect', 'list', '--json']);
      lastStatus = `status exit ${r.code}: ${r.stdout.slice(0, 1_500)}${r.stderr}; collect list: ${l.stdout}${l.stderr}`;
      const s = JSON.parse(r.stdout) as StatusJson;
      const listed = JSON.parse(l.stdout) as Array<{ workflowId: string; state: string; rowsWritten: number | null }>;
      return r.code === 0 && s.collectors?.length === 2 && listed.length === 2 && listed.every((c) => c.state === 'running' && (c.rowsWritten ?? 0) > 0) ? s : undefined;
    }, 90_000, 1_000).catch((err: Error) => {
      throw new Error(`${err.message}; ${lastStatus.slice(0, 3_000)}; worker said: ${workerLog.slice(-2_000)}`);
    });
    assert.deepEqual(running.unserved, []);

    // 4. a store dies: status says so (exit 3), collection goes on at quorum; services up brings it back
    const services = await cliJson<ServiceStatus[]>(['services', 'status']);
    const victim = services.find((s) => s.name === 'clickhouse replica-2');
    assert.ok(victim?.pid);
    process.kill(victim.pid, 'SIGKILL');
    const down = await eventually('status to see the store down', async () => {
      const r = await cli(['status']);
      return r.code === 3 ? r : undefined;
    }, 30_000, 500);
    assert.match(down.stdout, /clickhouse replica-2/);
    type Listed = Array<{ workflowId: string; state: string; rowsWritten: number | null }>;
    const tradesRows = async (): Promise<number> => (await cliJson<Listed>(['collect', 'list'])).find((c) => c.workflowId.includes('/trades/'))?.rowsWritten ?? 0;
    const before = await tradesRows();
    await eventually('trades written while the store is down', async () => ((await tradesRows()) > before ? true : undefined), 60_000, 1_000);
    const back = await cli(['services', 'up']);
    assert.equal(back.code, 0, back.stderr);
    assert.match(back.stdout, /clickhouse replica-2.*127\.0\.0\.1/);

    // 5. stop collecting, repair, and the stores agree
    const stopped = await cli(['collect', 'stop', '--all']);
    assert.equal(stopped.code, 0, stopped.stderr);
    await eventually('repair to level the stores', async () => {
      await cli(['replicas', 'repair']);
      return (await cli(['replicas', 'check'])).code === 0 ? true : undefined;
    }, 120_000, 2_000);
    const check = await cli(['replicas', 'check']);
    assert.match(check.stdout, /^stores identical: /m);

    // 6. status and data summary agree: every store holds what the collectors wrote, the same
    const summary = await cliJson<SummaryJson>(['data', 'summary']);
    assert.deepEqual(summary.stores.map((s) => s.store), ['primary', 'replica-1', 'replica-2']);
    const ours = (s: SummaryJson['stores'][number]) => s.series.filter((x) => x.exchange === 'okx' && x.symbol === SYMBOL).map((x) => [x.dataType, x.rows]);
    assert.deepEqual(ours(summary.stores[0]).map(([t]) => t), ['trades', 'orderbook']);
    for (const s of summary.stores) assert.deepEqual(ours(s), ours(summary.stores[0]), `${s.store} holds the same`);
    const listed = await cliJson<Listed>(['collect', 'list', '--all']);
    const tradesId = listed.find((c) => c.workflowId.includes('/trades/'))?.workflowId as string;
    // a stopped collector's final state, answered from its history
    const final = await cliJson<{ state: string; rowsWritten: number }>(['collect', 'status', tradesId]);
    assert.equal(final.state, 'stopped');
    const tradesWritten = final.rowsWritten;
    const tradesStored = Number(ours(summary.stores[0]).find(([t]) => t === 'trades')?.[1]);
    assert.ok(tradesStored > 0 && tradesStored === tradesWritten, `collect list says ${tradesWritten} trades written, data summary ${tradesStored} stored`);

    // 7. a backup, verified by restoring it into a scratch database
    const backup = await cliJson<{ backupId: string; state: string; batches: number }>(['backup', 'run']);
    assert.equal(backup.state, 'verified');
    assert.ok(backup.batches > 0);
    const verified = await cli(['backup', 'verify', backup.backupId, '--restore-test']);
    assert.equal(verified.code, 0, verified.stderr);

    // 8. services down
    worker.kill('SIGTERM');
    const downAll = await cli(['services', 'down']);
    assert.equal(downAll.code, 0, downAll.stderr);
    const after = await cli(['services', 'status', '--json']);
    assert.equal(after.code, 3);
    assert.ok((JSON.parse(after.stdout) as ServiceStatus[]).every((s) => !s.healthy), after.stdout);
  });
});
