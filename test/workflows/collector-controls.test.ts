import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load';
import { collectQueue, STORAGE_QUEUE } from '../../src/domain/task-queues';
import { listCollectors, stopCollector } from '../../src/client/collectors';
import { pauseSignal, resumeSignal, updateSignal } from '../../src/workflows/collector-api';
import { runCli, runCliJson } from '../support/cli';
import { eventually } from '../support/wait';
import { collectorHarness, storedRows, truth } from './collector-fixture';

/** Workflow controls: pause/resume/update signals, the status query, continue-as-new, search attributes, the CLI. */
const BTC = 'BTC/USDT:USDT';
const ETH = 'ETH/USDT:USDT';
/** this test's rows (the stack is shared with other test files) */
const since = Date.now();

describe('collector controls', () => {
  const config = loadConfig();
  // and the collectors the CLI started, should the test have failed before stopping them
  const h = collectorHarness(config, [collectQueue('okx'), STORAGE_QUEUE], 'collector-controls', async ({ client }) => {
    for (const c of await listCollectors(client)) await stopCollector(client, c.workflowId);
  });

  it('pauses, resumes, changes symbols and interval, and reports status', async () => {
    const id = await h.collectors.start({ exchange: 'okx', dataType: 'ticker', symbols: [BTC], intervalMs: 300 });
    const handle = h.client.workflow.getHandle(id);
    await h.collectors.waitFor(id, 'rows written', (s) => s.rowsWritten >= 2);

    await handle.signal(pauseSignal);
    const paused = await h.collectors.waitFor(id, 'paused', (s) => s.paused);
    // an iteration already running when the signal came finishes; then nothing is in flight
    await eventually('no fetch or write in flight', async () => {
      const { raw } = await handle.describe();
      return (raw.pendingActivities ?? []).length === 0 && (raw.pendingChildren ?? []).length === 0 ? true : undefined;
    });
    const settled = await h.collectors.status(id);
    assert.ok(settled.rowsWritten >= paused.rowsWritten);
    // paused for five intervals and more (lagMs: wall-clock time since the last fetch): nothing was fetched
    const stillPaused = await h.collectors.waitFor(id, 'five intervals of pause', (s) => (s.lagMs ?? 0) > settled.lagMs! + 1_500, 10_000);
    assert.equal(stillPaused.rowsWritten, settled.rowsWritten, 'no rows while paused');
    assert.equal(stillPaused.paused, true);

    await handle.signal(resumeSignal);
    await h.collectors.waitFor(id, 'rows after resume', (s) => !s.paused && s.rowsWritten > settled.rowsWritten);

    await handle.signal(updateSignal, { symbols: [BTC, ETH], intervalMs: 700 });
    const updated = await h.collectors.waitFor(id, 'symbols and interval updated', (s) => s.symbols.length === 2 && s.intervalMs === 700);
    assert.deepEqual(updated.symbols, [BTC, ETH]);
    await eventually('ETH tickers stored', async () => ((await storedRows(config, 'ticker', 'okx', ETH, since)).length >= 2 ? true : undefined), 30_000);
    const status = await h.collectors.waitFor(id, 'ETH cursor', (s) => s.cursors[ETH] !== undefined);
    assert.equal(status.consecutiveErrors, 0);
    assert.equal(status.lastError, null);
    assert.ok(status.lagMs !== null && status.lagMs < 10_000, `lag ${status.lagMs}`);
    assert.ok(status.dataLagMs !== null && status.dataLagMs < 10_000, `data lag ${status.dataLagMs}`);

    // search attributes follow the update: the UI and `temporal workflow list --query` can filter on them
    await eventually('search attributes list both symbols', async () => {
      const listed = await listCollectors(h.client);
      const me = listed.find((c) => c.workflowId === id);
      return me?.symbols?.length === 2 && me.exchange === 'okx' && me.dataType === 'ticker' ? true : undefined;
    }, 30_000);
    const found = [];
    for await (const wf of h.client.workflow.list({ query: `Exchange = 'okx' AND DataType = 'ticker' AND Symbols = '${ETH}'` })) found.push(wf.workflowId);
    assert.deepEqual(found, [id]);
  });

  it('continues as new before the history grows, keeping cursors and counters (trades stay gap-free)', async () => {
    const id = await h.collectors.start({ exchange: 'okx', dataType: 'trades', symbols: [ETH], intervalMs: 200, maxHistoryEvents: 40 });
    const status = await h.collectors.waitFor(id, 'three runs', (s) => s.runs >= 3 && s.rowsWritten >= 100, 90_000);
    assert.ok(status.batchesWritten >= 3, 'counters carried across runs');
    const executions = [];
    for await (const wf of h.client.workflow.list({ query: `WorkflowId = '${id}'` })) executions.push(wf.status.name);
    assert.ok(executions.filter((s) => s === 'CONTINUED_AS_NEW').length >= 2, `runs: ${executions.join(', ')}`);
    await h.collectors.stopAll();
    const stored = await storedRows(config, 'trades', 'okx', ETH, since);
    const from = stored[0].eventTime + 1;
    const expected = await truth<{ id: string }>(config, { exchange: 'okx', type: 'trades', symbol: ETH, from, to: stored.at(-1)!.eventTime });
    assert.deepEqual(stored.filter((r) => r.eventTime >= from).map((r) => r.tradeId), expected.map((t) => t.id), 'cursors survived continue-as-new');
  });

  it('starts every type okx offers with --type all, refuses what an exchange cannot serve, and shows status', async () => {
    const started = await runCliJson<Array<{ workflowId: string; started: boolean }>>(['collect', 'start', '--exchange', 'okx', '--type', 'all', '--symbols', ETH, '--interval', '2s']);
    assert.deepEqual(
      started.map((s) => s.workflowId.split('/')[2]).sort(),
      ['funding_rate', 'lsr_all_account', 'lsr_top_position', 'open_interest', 'orderbook', 'ticker', 'trades'],
      'every type okx offers for a swap',
    );
    const fundingId = started.find((s) => s.workflowId.includes('/funding_rate/'))!.workflowId;
    await h.collectors.waitFor(fundingId, 'rows written', (s) => s.rowsWritten > 0);
    const [json, text] = await Promise.all([
      runCliJson<{ rowsWritten: number; dataType: string }>(['collect', 'status', fundingId]),
      runCli(['collect', 'status', fundingId]),
    ]);
    assert.ok(json.rowsWritten > 0 && json.dataType === 'funding_rate');
    assert.match(text.stdout, /rows written: [1-9]\d*/);

    // independent commands, run side by side to keep the test short
    const [spotFunding, bybitTop] = await Promise.all([
      runCli(['collect', 'start', '--exchange', 'okx', '--type', 'funding_rate', '--symbols', 'BTC/USDT']),
      runCli(['collect', 'start', '--exchange', 'bybit', '--type', 'lsr_top_position', '--symbols', BTC]),
    ]);
    assert.equal(spotFunding.code, 2);
    assert.match(spotFunding.stderr.trim(), /^.*funding_rate exists only for derivatives, and BTC\/USDT is a spot market.*$/);
    assert.equal(spotFunding.stderr.trim().split('\n').length, 1, 'one line');
    assert.equal(bybitTop.code, 2);
    assert.match(bybitTop.stderr, /bybit does not offer lsr_top_position/);

    const stopped = await runCliJson<{ stopped: string[]; terminated: string[] }>(['collect', 'stop', '--all']);
    assert.ok(started.every((s) => stopped.stopped.includes(s.workflowId)));
    assert.deepEqual(stopped.terminated, [], 'each ended by itself after its write in flight');
    for (const s of started) assert.equal((await h.client.workflow.getHandle(s.workflowId).describe()).status.name, 'CANCELLED');

    // a second stop says so; the status of a stopped collector is its final state, with no growing lag
    const again = await runCli(['collect', 'stop', fundingId]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout.trim(), new RegExp(`^already stopped: ${fundingId.replace(/[/]/g, '\\/')} \\(cancelled at \\d{4}-`));
    const final = await runCliJson<{ state: string; executionStatus: string; rowsWritten: number; lagMs: number | null }>(['collect', 'status', fundingId]);
    assert.deepEqual([final.state, final.executionStatus, final.lagMs], ['stopped', 'CANCELLED', null]);
    assert.ok(final.rowsWritten > 0, 'the final counters, from its history');
    assert.match((await runCli(['collect', 'status', fundingId])).stdout, /\(stopped: cancelled at /);
  });

  it('collect pause, update and resume from the CLI; collect list shows state, first start, lag, rows and errors', async () => {
    const id = await h.collectors.start({ exchange: 'okx', dataType: 'funding_rate', symbols: [BTC], intervalMs: 500 });
    await h.collectors.waitFor(id, 'rows', (s) => s.rowsWritten > 0);
    type Row = { workflowId: string; state: string; firstStart: string | null; lagMs: number | null; rowsWritten: number | null };
    const listed = async (): Promise<Row | undefined> => (await runCliJson<Row[]>(['collect', 'list'])).find((r) => r.workflowId === id);

    assert.equal((await runCli(['collect', 'pause', id])).stdout.trim(), `paused: ${id}`);
    await h.collectors.waitFor(id, 'paused', (s) => s.paused);
    const paused = await listed();
    assert.equal(paused?.state, 'paused');
    assert.ok(paused?.firstStart && Date.parse(paused.firstStart) <= Date.now(), 'first start shown');
    assert.ok((paused?.rowsWritten ?? 0) > 0);

    // starting it again with another interval says how it runs and how to apply the request
    const again = await runCli(['collect', 'start', '--exchange', 'okx', '--type', 'funding_rate', '--symbols', BTC, '--interval', '1s']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout.trim(), `already running: ${id} (it polls every 500ms, not 1s: \`marketprism collect update ${id} --interval 1s\` applies it; it is paused: \`marketprism collect resume ${id}\`)`);

    const bad = await runCli(['collect', 'update', id, '--symbols', 'NOPE/USDT:USDT']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr.trim(), /^marketprism: cannot collect funding_rate for NOPE\/USDT:USDT: okx does not list symbol 'NOPE\/USDT:USDT'/);
    assert.equal((await runCli(['collect', 'update', id])).code, 2, 'nothing to update');
    assert.equal((await runCli(['collect', 'update', id, '--interval', '700ms', '--symbols', `${BTC},${ETH}`])).stdout.trim(), `updated: ${id}`);
    const updated = await h.collectors.waitFor(id, 'updated', (s) => s.intervalMs === 700 && s.symbols.length === 2);
    assert.deepEqual(updated.symbols, [BTC, ETH]);

    assert.equal((await runCli(['collect', 'resume', id])).stdout.trim(), `resumed: ${id}`);
    const before = updated.rowsWritten;
    await h.collectors.waitFor(id, 'collecting again', (s) => !s.paused && s.rowsWritten > before);
    assert.match((await listed())?.state ?? '', /^(running|failing)$/);

    await stopCollector(h.client, id);
    const stoppedPause = await runCli(['collect', 'pause', id]);
    assert.equal(stoppedPause.code, 2);
    assert.match(stoppedPause.stderr.trim(), /is stopped \(cancelled\); start it again/);
    const all = await runCliJson<Row[]>(['collect', 'list', '--all']);
    assert.equal(all.filter((r) => r.workflowId === id).length, 1, 'listed once');
    const stopped = all.find((r) => r.workflowId === id);
    assert.equal(stopped?.state, 'stopped');
    // its final figures, answered from its history (a worker serves its queue): rows written, first start; no lag
    assert.ok(typeof stopped?.rowsWritten === 'number' && stopped.rowsWritten > before, `rows written ${stopped?.rowsWritten}, more than ${before}`);
    assert.equal(stopped?.firstStart, paused?.firstStart);
    assert.equal(stopped?.lagMs, null);
  });

  it('collector commands name an unknown id or a workflow that is not a collector in one line (exit 2)', async () => {
    for (const [args, pattern] of [
      [['collect', 'stop', 'collect/okx/trades/NOPE'], /^marketprism: no collector has the id 'collect\/okx\/trades\/NOPE'; `marketprism collect list --all` lists them$/],
      [['collect', 'status', 'collect/okx/trades/NOPE'], /^marketprism: no collector has the id 'collect\/okx\/trades\/NOPE'/],
    ] as const) {
      const r = await runCli([...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr.trim(), pattern);
    }
    // a workflow of another kind: a write of one batch, by its own workflow
    const other = await h.client.workflow.start('RedundantWriteWorkflow', {
      workflowId: `write/not-a-collector-${Date.now()}`,
      taskQueue: 'storage',
      args: [{ batch: { batchId: 'trades-not-a-collector', table: 'trades', rows: [] }, stores: [], quorum: 0 }],
    });
    await other.result().catch(() => undefined);
    for (const verb of ['stop', 'status']) {
      const r = await runCli(['collect', verb, other.workflowId]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr.trim(), /is a RedundantWriteWorkflow, not a collector; collector ids start with collect\//);
    }
  });

  it('terminates a stopped collector that does not end within the grace (here: no worker serves its queue)', async () => {
    const id = await h.collectors.start({ exchange: 'bybit', dataType: 'ticker', symbols: [BTC], intervalMs: 1_000 });
    assert.equal(await stopCollector(h.client, id, 'test', 1_000), 'terminated');
    assert.equal((await h.client.workflow.getHandle(id).describe()).status.name, 'TERMINATED');
  });
});
