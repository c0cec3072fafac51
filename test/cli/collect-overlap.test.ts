import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { parse, stringify } from 'yaml';
import { temporalClient } from '../../src/client/client';
import { collectorWorkflowId, listCollectors } from '../../src/client/collectors';
import type { DataType } from '../../src/domain/data-types';
import { loadConfig } from '../../src/config/load';
import { runCli, runCliJson } from '../support/cli';
import { eventually } from '../support/wait';

/**
 * Overlapping collectors are refused at start (issue: batch repair, part B): two collectors on the same exchange,
 * data type, symbol and options store the same items in different batches. `collect start` refuses, naming the
 * running collector and the shared symbols; `up` skips such a configured collector and says why. No worker runs
 * here: collectors only need to be running workflows, which is what Temporal's visibility lists.
 */
describe('overlapping collectors are refused', () => {
  const config = loadConfig();
  let client: Client;

  /** Waits until visibility lists the collector as running (it is eventually consistent). */
  const listed = (workflowId: string): Promise<true> =>
    eventually(`${workflowId} listed`, async () => ((await listCollectors(client)).some((c) => c.workflowId === workflowId) ? true : undefined), 30_000);

  before(async () => {
    client = await temporalClient(config);
  });
  after(async () => {
    // no worker serves these collectors: terminate rather than cancel
    for (const c of await listCollectors(client)) {
      if (c.exchange === 'binance' || c.exchange === 'bybit' || c.exchange === 'binanceusdm') await client.workflow.getHandle(c.workflowId).terminate('test done').catch(() => undefined);
    }
    await client?.connection.close();
  });

  it('collect start refuses a collector sharing a symbol with a running one (same type and options), naming it and the symbols', async () => {
    const [first] = await runCliJson<Array<{ workflowId: string; started: boolean }>>(['collect', 'start', '--exchange', 'binance', '--type', 'trades', '--symbols', 'BTC/USDT,ETH/USDT']);
    assert.equal(first.started, true);
    await listed(first.workflowId);

    const refused = await runCli(['collect', 'start', '--exchange', 'binance', '--type', 'trades', '--symbols', 'ETH/USDT']);
    assert.equal(refused.code, 2, refused.stderr);
    assert.equal(refused.stderr.trim().split('\n').length, 1, 'one line');
    assert.ok(refused.stderr.includes(`overlaps running collector ${first.workflowId} (on ETH/USDT)`), refused.stderr);
    assert.match(refused.stderr, /stop it first .*or leave out ETH\/USDT; nothing was started/);

    // --type all: only trades overlaps; nothing starts, and the message says which types could
    const all = await runCli(['collect', 'start', '--exchange', 'binance', '--type', 'all', '--symbols', 'ETH/USDT']);
    assert.equal(all.code, 2, all.stderr);
    assert.equal(all.stderr.trim().split('\n').length, 1, 'one line');
    assert.ok(all.stderr.includes(`binance trades for ETH/USDT overlaps running collector ${first.workflowId}`), all.stderr);
    assert.match(all.stderr, /nothing was started \(to start the others: --type [a-z_,]*orderbook/);
    const binance = (await listCollectors(client)).filter((c) => c.exchange === 'binance');
    assert.deepEqual(binance.map((c) => c.workflowId), [first.workflowId], 'nothing else was started');

    // a symbol no collector has, and the running collector itself again, are fine
    const other = await runCliJson<Array<{ started: boolean }>>(['collect', 'start', '--exchange', 'binance', '--type', 'trades', '--symbols', 'BTC/USDT,ETH/USDT']);
    assert.deepEqual(other.map((r) => r.started), [false], 'already running');
  });

  it('options tell collectors apart: another order book depth may run beside, the same depth is refused', async () => {
    const [deep] = await runCliJson<Array<{ workflowId: string; started: boolean }>>(['collect', 'start', '--exchange', 'bybit', '--type', 'orderbook', '--symbols', 'BTC/USDT', '--depth', '20']);
    assert.equal(deep.started, true);
    await listed(deep.workflowId);
    // the default depth (10) is not 20: another collector, whatever its workflow id
    const shallow = await runCli(['collect', 'start', '--exchange', 'bybit', '--type', 'orderbook', '--symbols', 'ETH/USDT,BTC/USDT']);
    assert.equal(shallow.code, 0, shallow.stderr);
    const same = await runCli(['collect', 'start', '--exchange', 'bybit', '--type', 'orderbook', '--symbols', 'BTC/USDT', '--depth', '10']);
    assert.equal(same.code, 2, 'depth 10 is what the default-depth collector collects');
    const defaultDepth = collectorWorkflowId({ exchange: 'bybit', dataType: 'orderbook', symbols: ['ETH/USDT', 'BTC/USDT'] });
    assert.ok(same.stderr.includes(`bybit orderbook for BTC/USDT overlaps running collector ${defaultDepth} (on BTC/USDT)`), same.stderr);
  });

  it('up starts configured collectors but skips one that overlaps a running or earlier one, saying which', async () => {
    const file = path.join(path.dirname(process.env.MARKETPRISM_CONFIG!), 'overlap-up.yaml');
    const doc = parse(readFileSync(process.env.MARKETPRISM_CONFIG!, 'utf8')) as Record<string, unknown>;
    const [ETH, BTC] = ['ETH/USDT:USDT', 'BTC/USDT:USDT'];
    doc.collectors = [
      { exchange: 'binanceusdm', types: ['trades'], symbols: [ETH], interval: '5s' },
      // `types: all` beside the trades collector above: its trades collector would share ETH/USDT:USDT
      { exchange: 'binanceusdm', types: ['all'], symbols: [ETH, BTC], interval: '5s' },
    ];
    // no backup schedules: on the shared Temporal their hourly run would back up another test's stores
    doc.backup = { schedule: { enabled: false } };
    writeFileSync(file, stringify(doc));
    const id = (dataType: DataType, symbols: string[]): string => collectorWorkflowId({ exchange: 'binanceusdm', dataType, symbols });
    const up = await runCli(['up', '--no-worker', '--config', file]);
    assert.equal(up.code, 0, up.stderr);
    const lines = up.stdout.split('\n');
    assert.ok(lines.includes(`started: ${id('trades', [ETH])}`), up.stdout);
    const skipped = lines.filter((l) => l.startsWith('skipped: '));
    assert.equal(skipped.length, 1, up.stdout);
    assert.ok(skipped[0].startsWith(`skipped: ${id('trades', [ETH, BTC])}: `), skipped[0]);
    assert.ok(skipped[0].includes(`overlaps running collector ${id('trades', [ETH])} (on ${ETH})`), skipped[0]);
    for (const type of ['orderbook', 'ticker', 'funding_rate'] as const) assert.ok(lines.includes(`started: ${id(type, [ETH, BTC])}`), `${type}: ${up.stdout}`);

    // a second run leaves everything as it is, and still skips the overlapping one (now found through visibility)
    await listed(id('trades', [ETH]));
    const again = await runCli(['up', '--no-worker', '--config', file]);
    assert.equal(again.code, 0, again.stderr);
    assert.ok(again.stdout.split('\n').includes(`already running: ${id('trades', [ETH])}`), again.stdout);
    assert.deepEqual(again.stdout.split('\n').filter((l) => l.startsWith('skipped: ')).map((l) => l.split(': ')[1]), [id('trades', [ETH, BTC])]);
  });
});
