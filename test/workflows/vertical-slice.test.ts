import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load';
import type { TradeRow } from '../../src/domain/rows';
import { simulatorUrl } from '../../src/services/simulator';
import { storeClient } from '../../src/storage/client';
import { selectRows } from '../../src/storage/table-io';
import { MARKET_TABLES } from '../../src/storage/tables';
import { collectQueue, STORAGE_QUEUE } from '../../src/domain/task-queues';
import { startWorkers, type RunningWorkers } from '../../src/workers/start-workers';
import { runCli, runCliJson } from '../support/cli';
import { eventually } from '../support/wait';

/**
 * The first end-to-end slice: the CLI starts a collector, a worker runs it against the simulator over
 * ccxt, batches land in ClickHouse, and the workflow is visible through the Temporal UI's API.
 */
describe('vertical slice: collect okx trades into ClickHouse', () => {
  const config = loadConfig();
  const symbol = 'BTC/USDT:USDT';
  let workers: RunningWorkers;
  let workflowId: string;

  before(async () => {
    workers = await startWorkers(config, { queues: [collectQueue('okx'), STORAGE_QUEUE], identity: 'vertical-slice' });
  });

  after(async () => {
    if (workflowId) await runCli(['collect', 'stop', workflowId]);
    await workers?.shutdown();
  });

  it('starts from the CLI, stores exactly the trades the exchange emitted, and shows in the UI', async () => {
    const testStart = Date.now();
    const started = await runCliJson<Array<{ workflowId: string; started: boolean }>>(['collect', 'start', '--exchange', 'okx', '--type', 'trades', '--symbols', symbol, '--interval', '500ms']);
    assert.equal(started.length, 1);
    workflowId = started[0].workflowId;
    assert.equal(workflowId, 'collect/okx/trades/BTC-USDT-USDT');

    const primary = config.stores[0];
    const client = storeClient(primary);
    // the stack is shared: only rows this test's collector wrote count
    const where = `exchange = 'okx' AND symbol = '${symbol}' AND ingest_time >= ${testStart}`;
    const stored = await eventually('40 okx trades in the primary store', async () => {
      const rows = await selectRows<TradeRow>(client, primary.database, MARKET_TABLES.trades, { where, orderBy: 'event_time, trade_id' });
      return rows.length >= 40 ? rows : undefined;
    }, 90_000);

    // Every stored trade id is unique, and equals what the simulator says it emitted in that time span.
    const ids = stored.map((r) => r.tradeId);
    assert.equal(new Set(ids).size, ids.length, 'no duplicate trades');
    // The first fetch starts mid-stream, so the boundary millisecond is left out of the comparison.
    const from = stored[0].eventTime + 1;
    const to = stored[stored.length - 1].eventTime;
    const res = await fetch(`${simulatorUrl(config)}/_admin/truth?exchange=okx&type=trades&symbol=${encodeURIComponent(symbol)}&from=${from}&to=${to + 1}`);
    const truth = (await res.json()) as Array<{ id: string; price: number; amount: number }>;
    const byId = new Map(stored.filter((r) => r.eventTime >= from).map((r) => [r.tradeId, r]));
    assert.deepEqual([...byId.keys()].sort(), truth.map((t) => String(t.id)).sort(), 'stored trade ids equal the ground truth');
    for (const t of truth) assert.equal(byId.get(String(t.id))?.price, t.price, `price of trade ${t.id}`);

    // The collector reports progress through its status query.
    const status = await runCliJson<{ rowsWritten: number; consecutiveErrors: number }>(['collect', 'status', workflowId]);
    assert.ok(status.rowsWritten >= 40, `status shows rows written (${status.rowsWritten})`);

    // The Temporal UI server lists it (the same API the UI's pages call).
    const ui = await fetch(`http://127.0.0.1:${config.temporal.uiPort}/api/v1/namespaces/${config.temporal.namespace}/workflows?query=${encodeURIComponent(`WorkflowId="${workflowId}" AND ExecutionStatus="Running"`)}`);
    assert.equal(ui.status, 200);
    const listed = (await ui.json()) as { executions?: Array<{ execution: { workflowId: string } }> };
    assert.deepEqual(listed.executions?.map((e) => e.execution.workflowId), [workflowId]);

    const list = await runCliJson<Array<{ workflowId: string }>>(['collect', 'list']);
    assert.ok(list.some((c) => c.workflowId === workflowId), 'collect list shows it');
  });
});
