import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { temporalClient } from '../../src/client/client';
import { collectorStatus } from '../../src/client/collectors';
import { symbolSetStatus } from '../../src/client/symbol-sets';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { collectQueue, STORAGE_QUEUE } from '../../src/domain/task-queues';
import { startWorkers, type RunningWorkers } from '../../src/workers/start-workers';
import type { SymbolSetStatus } from '../../src/workflows/symbol-set-api';
import type { RunningSimulator } from '../../simulator/server';
import { assertOneLineError, runCli, runCliJson } from '../support/cli';
import { changeListing } from '../support/simulator-admin';
import { ownSimulator } from '../support/own-simulator';
import { eventually } from '../support/wait';
import { storedRows } from './collector-fixture';

/**
 * `collect start --symbols all:USDT` (issue 11, part 3): every active market of binanceusdm, in collectors of at
 * most --symbols-per-collector symbols, following listings as markets reload. A simulator of its own lists 10
 * generated perpetuals beside BTC and ETH (uneven trade rates), and lists and delists markets while the set runs.
 */
// ccxt spaces binanceusdm's aggTrades calls by their weight (about one a second per exchange): a few markets
// keep each round of polls short
const GENERATED = 10;
const PER_COLLECTOR = 5;

describe('symbol sets: --symbols all follows listings and delistings', () => {
  const base = loadConfig();
  let sim: RunningSimulator;
  let config: Config;
  let file: string;
  let workers: RunningWorkers;
  let client: Client;
  let setId: string | undefined;
  const since = Date.now();

  before(async () => {
    ({ sim, config, file } = await ownSimulator(base, 'symbol-set', ['binanceusdm'], { seed: 31, tradesPerSecond: 1, instruments: GENERATED }));
    client = await temporalClient(config);
    workers = await startWorkers(config, { queues: [collectQueue('binanceusdm'), STORAGE_QUEUE], identity: 'symbol-set' });
  });

  after(async () => {
    if (setId) await runCli(['collect', 'stop', setId, '--config', file]);
    await workers?.shutdown();
    await client?.connection.close();
    await sim?.close();
  });

  const setStatus = (what: string, check: (s: SymbolSetStatus) => boolean, timeoutMs = 60_000): Promise<SymbolSetStatus> => {
    let last: SymbolSetStatus | undefined;
    return eventually(`${setId}: ${what}`, async () => {
      last = await symbolSetStatus(client, setId!).catch(() => undefined);
      return last && check(last) ? last : undefined;
    }, timeoutMs).catch((err: Error) => {
      throw new Error(`${err.message}; last status ${JSON.stringify(last)}`);
    });
  };
  const memberOf = (s: SymbolSetStatus, symbol: string) => s.members.find((m) => m.symbols.includes(symbol));

  it('refuses bad selectors with one line', async () => {
    const env = { MARKETPRISM_CONFIG: file };
    await assertOneLineError(['collect', 'start', '--exchange', 'binanceusdm', '--type', 'trades', '--symbols', 'all:perps'], /selector filter 'perps' in 'all:perps' is neither a market type/, 2, env);
    await assertOneLineError(['collect', 'start', '--exchange', 'binanceusdm', '--type', 'trades', '--symbols', 'all:EUR'], /all:EUR takes no active binanceusdm market for trades .*widen the filters/, 2, env);
    await assertOneLineError(['collect', 'start', '--exchange', 'binanceusdm', '--type', 'trades', '--symbols', 'all', '--symbols-per-collector', '0'], /--symbols-per-collector '0' is not a whole number from 1 to 500/, 2, env);
    await assertOneLineError(['collect', 'start', '--exchange', 'binanceusdm', '--type', 'trades', '--symbols', 'all', '--reload-markets', '10ms'], /--reload-markets '10ms' is shorter than 1s/, 2, env);
  });

  it('collects every market in collectors of at most N symbols, picks up a listing and stops collecting a delisted one', async () => {
    const [started] = await runCliJson<Array<{ workflowId: string; started: boolean; symbols: number; collectors: number }>>([
      'collect', 'start', '--exchange', 'binanceusdm', '--type', 'trades', '--symbols', 'all:USDT',
      '--symbols-per-collector', String(PER_COLLECTOR), '--reload-markets', '2s', '--interval', '2s', '--config', file,
    ]);
    setId = started.workflowId;
    assert.equal(started.started, true);
    assert.equal(started.symbols, GENERATED + 2, 'BTC, ETH and the generated perpetuals');
    assert.equal(started.collectors, Math.ceil((GENERATED + 2) / PER_COLLECTOR));

    const first = await setStatus('every market in members', (s) => s.symbols === GENERATED + 2 && s.lastReloadTime !== null);
    assert.equal(first.members.length, 3);
    assert.ok(first.members.every((m) => m.symbols.length <= PER_COLLECTOR));
    assert.equal(new Set(first.members.flatMap((m) => m.symbols)).size, GENERATED + 2, 'each symbol in one member');
    // the busiest generated market trades twice a second: its rows arrive through its member collector
    await eventually('X0001 trades stored', async () => ((await storedRows(config, 'trades', 'binanceusdm', 'X0001/USDT:USDT', since)).length > 0 ? true : undefined), 60_000);

    // a listing: the next reload adds it to a member with room, which collects it
    const listed = await changeListing(config, { exchange: 'binanceusdm', list: 'NEWCOIN' });
    assert.equal(listed.symbol, 'NEWCOIN/USDT:USDT');
    const withNew = await setStatus('the listing in a member', (s) => memberOf(s, listed.symbol) !== undefined);
    assert.equal(withNew.listed, 1);
    const newMember = memberOf(withNew, listed.symbol)!.workflowId;
    await eventually('NEWCOIN trades stored', async () => ((await storedRows(config, 'trades', 'binanceusdm', listed.symbol, since)).length > 0 ? true : undefined), 60_000).catch(async (err: Error) => {
      throw new Error(`${err.message}; ${newMember}: ${JSON.stringify(await collectorStatus(client, newMember))}`);
    });
    const newRows = await storedRows(config, 'trades', 'binanceusdm', listed.symbol, since);
    const ids = newRows.map((r) => Number(r.tradeId));
    assert.equal(new Set(ids).size, ids.length, 'no trade stored twice');

    // a delisting: the market stays listed but inactive; its member drops it and stops fetching it
    const gone = 'X0002/USDT:USDT';
    const holder = memberOf(withNew, gone);
    assert.ok(holder, `${gone} is collected`);
    await changeListing(config, { exchange: 'binanceusdm', delist: 'X0002USDT' });
    const without = await setStatus('the delisting dropped', (s) => memberOf(s, gone) === undefined);
    assert.equal(without.delisted, 1);
    const member = await eventually(`${holder.workflowId} no longer collects ${gone}`, async () => {
      const s = await collectorStatus(client, holder.workflowId);
      return s.symbols.includes(gone) ? undefined : s;
    });
    const written = (n: number) => async () => ((await collectorStatus(client, holder.workflowId)).batchesWritten >= member.batchesWritten + n ? true : undefined);
    // a poll in flight when the update came still holds the delisted market: the next write ends it
    await eventually(`${holder.workflowId} wrote once more`, written(1), 60_000);
    const before = (await storedRows(config, 'trades', 'binanceusdm', gone, since)).length;
    // two more polls of that member (each writes its other symbols' trades), and none of the delisted market
    await eventually(`${holder.workflowId} polled twice more`, written(3), 60_000);
    assert.equal((await storedRows(config, 'trades', 'binanceusdm', gone, since)).length, before, 'nothing more of the delisted market');

    // collect list shows the set; stopping it stops every member
    const list = await runCli(['collect', 'list', '--config', file]);
    assert.match(list.stdout, new RegExp(`${setId}\\s+set: ${GENERATED + 2} symbols in 3 collectors`));
    const stop = await runCli(['collect', 'stop', setId, '--config', file]);
    assert.equal(stop.code, 0, stop.stderr);
    for (const m of without.members) {
      await eventually(`${m.workflowId} stopped`, async () => ((await client.workflow.getHandle(m.workflowId).describe()).status.name !== 'RUNNING' ? true : undefined), 30_000);
    }
    setId = undefined;
  });
});
