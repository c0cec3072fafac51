import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load';
import { collectQueue, STORAGE_QUEUE } from '../../src/domain/task-queues';
import { listCollectors, stopCollector } from '../../src/client/collectors';
import { runCliJson } from '../support/cli';
import { eventually } from '../support/wait';
import { collectorHarness, storedRows } from '../workflows/collector-fixture';

/**
 * Issue E through the real CLI: two collectors that differ only by an option that changes what is stored
 * (book depth 10 and 400; ratio period 5m and 1h) are two collectors, both running and both storing.
 */
const since = Date.now();

describe('collect start: collectors differing only by options', () => {
  const config = loadConfig();
  const started: string[] = [];
  const h = collectorHarness(config, [collectQueue('okx'), collectQueue('binanceusdm'), STORAGE_QUEUE], 'collector-options', async ({ client }) => {
    const running = new Set((await listCollectors(client)).map((c) => c.workflowId));
    await Promise.all(started.filter((id) => running.has(id)).map((id) => stopCollector(client, id)));
  });

  it('depth 10 and depth 400, period 5m and 1h: each pair is two collectors, both running, each storing its own', async () => {
    const start = (args: string[]) => runCliJson<Array<{ workflowId: string; started: boolean }>>(['collect', 'start', ...args, '--interval', '500ms']);
    const book = ['--exchange', 'okx', '--type', 'orderbook', '--symbols', 'ETH/USDT'];
    const lsr = ['--exchange', 'binanceusdm', '--type', 'lsr_all_account', '--symbols', 'ETH/USDT:USDT'];
    const results = [await start([...book, '--depth', '10']), await start([...book, '--depth', '400']), await start([...lsr, '--period', '5m']), await start([...lsr, '--period', '1h'])].flat();
    started.push(...results.map((r) => r.workflowId));
    assert.deepEqual(results, [
      { workflowId: 'collect/okx/orderbook/ETH-USDT', started: true },
      { workflowId: 'collect/okx/orderbook/ETH-USDT@depth=400', started: true },
      { workflowId: 'collect/binanceusdm/lsr_all_account/ETH-USDT-USDT', started: true },
      { workflowId: 'collect/binanceusdm/lsr_all_account/ETH-USDT-USDT@period=1h', started: true },
    ], 'none is "already running"');
    // starting one again is still the no-op it was
    assert.deepEqual(await start([...book, '--depth', '400']), [{ workflowId: 'collect/okx/orderbook/ETH-USDT@depth=400', started: false }]);
    const listed = new Map((await runCliJson<Array<{ workflowId: string; status: string }>>(['collect', 'list'])).map((c) => [c.workflowId, c.status]));
    assert.deepEqual(started.map((id) => listed.get(id)), ['RUNNING', 'RUNNING', 'RUNNING', 'RUNNING'], '`collect list` shows all four running');

    await eventually('books of both depths stored', async () => {
      const depths = new Set((await storedRows(config, 'orderbook', 'okx', 'ETH/USDT', since)).map((r) => r.depth));
      return depths.has(10) && depths.has(400) ? true : undefined;
    }, 60_000);
    const books = await storedRows(config, 'orderbook', 'okx', 'ETH/USDT', since);
    for (const row of books) assert.equal(row.bids.length, row.depth, `a book of depth ${row.depth} holds that many levels`);
    await eventually('ratios of both periods stored', async () => {
      const periods = new Set((await storedRows(config, 'lsr_all_account', 'binanceusdm', 'ETH/USDT:USDT')).map((r) => r.period));
      return periods.has('5m') && periods.has('1h') ? true : undefined;
    }, 60_000);
    const stopped = await runCliJson<{ stopped: string[]; terminated: string[]; alreadyStopped: string[] }>(['collect', 'stop', started[1]]);
    assert.deepEqual(stopped, { stopped: [started[1]], terminated: [], alreadyStopped: [] });
    const after = new Set((await listCollectors(h.client)).map((c) => c.workflowId));
    assert.ok(after.has(started[0]) && !after.has(started[1]), 'stopping the depth-400 collector leaves the depth-10 one running');
  });
});
