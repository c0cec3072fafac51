import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../../src/config/load';
import type { TradeRow } from '../../src/domain/rows';
import { collectQueue, STORAGE_QUEUE } from '../../src/domain/task-queues';
import type { CollectionGapRow } from '../../src/storage/records';
import { COLLECTION_GAPS_TABLE } from '../../src/storage/tables';
import { temporalClient } from '../../src/temporal/client';
import { startWorkers, type RunningWorkers } from '../../src/workers/start-workers';
import { eventually } from '../support/wait';
import { clearFaults, Collectors, quoted, setFault, storedRecords, storedRows, truth } from './collector-fixture';

/**
 * Gap-free trades: after an exchange outage and after every worker was stopped for a while, the stored trade
 * ids equal the simulator's ground truth exactly (no gap, no duplicate), for each forward-paging strategy:
 * okx history-trades `before`, binance aggTrades `fromId`. Durations are seconds here (the 60 s
 * are parameters of the same scenario), well inside the simulator's fetchable history.
 */
const OUTAGE_MS = 4_000;
/** trades the simulator must emit while the workers are down (20/s in the test config: ~4 s) */
const TRADES_WHILE_STOPPED = 80;
const SYMBOL = 'ETH/USDT:USDT';
const CASES = [
  { exchange: 'okx', symbol: SYMBOL },
  { exchange: 'binanceusdm', symbol: SYMBOL },
];

type TruthTrade = { id: string; timestamp: number };
/** this test's rows and gaps (the stack is shared with other test files) */
const since = Date.now();

async function newestStored(config: ReturnType<typeof loadConfig>, exchange: string): Promise<TradeRow | undefined> {
  return (await storedRows(config, 'trades', exchange, SYMBOL, since)).at(-1);
}

describe('trades stay gap-free across an exchange outage and a stop of all workers', () => {
  const config = loadConfig();
  const queues = [...CASES.map((c) => collectQueue(c.exchange)), STORAGE_QUEUE];
  let workers: RunningWorkers | undefined;
  let client: Client;
  let collectors: Collectors;
  const ids: Record<string, string> = {};

  before(async () => {
    workers = await startWorkers(config, { queues, identity: 'gap-free-1' });
    client = await temporalClient(config);
    collectors = new Collectors(client, config);
  });

  after(async () => {
    await clearFaults(config);
    await collectors?.stopAll();
    await client?.connection.close();
    await workers?.shutdown();
  });

  it('back-fills everything the exchange still serves, in order, exactly once', async () => {
    for (const c of CASES) ids[c.exchange] = await collectors.start({ exchange: c.exchange, dataType: 'trades', symbols: [c.symbol], intervalMs: 500 });
    for (const c of CASES) await collectors.waitFor(ids[c.exchange], 'first rows', (s) => s.rowsWritten >= 20);

    // 1. the exchange is down (connections dropped) for a few seconds
    const outageStart = Date.now();
    for (const c of CASES) await setFault(config, { exchange: c.exchange, mode: 'outage', forMs: OUTAGE_MS });
    for (const c of CASES) {
      await collectors.waitFor(ids[c.exchange], 'success after the outage', (s) => (s.lastSuccessTime ?? 0) > outageStart + OUTAGE_MS, 90_000);
    }

    // 2. every worker is stopped while the market keeps trading, then a fresh worker takes over
    await workers!.shutdown();
    workers = undefined;
    const stoppedAt = Date.now();
    await eventually(`${TRADES_WHILE_STOPPED} trades emitted while no worker runs`, async () => {
      const emitted = await truth<TruthTrade>(config, { exchange: 'okx', type: 'trades', symbol: SYMBOL, from: stoppedAt, to: Date.now() });
      return emitted.length >= TRADES_WHILE_STOPPED ? true : undefined;
    }, 60_000, 250);
    const restartedAt = Date.now();
    workers = await startWorkers(config, { queues, identity: 'gap-free-2' });
    for (const c of CASES) {
      await eventually(`${c.exchange} caught up after the restart`, async () => ((await newestStored(config, c.exchange))?.eventTime ?? 0) > restartedAt + 1_000 ? true : undefined, 90_000, 300);
    }
    await collectors.stopAll();

    for (const c of CASES) {
      const stored = await storedRows(config, 'trades', c.exchange, c.symbol, since);
      const storedIds = stored.map((r) => r.tradeId);
      assert.equal(new Set(storedIds).size, storedIds.length, `${c.exchange}: no duplicate trade`);
      // the very first fetch starts mid-stream: compare from the first stored millisecond on (+1 for ties)
      const from = stored[0].eventTime + 1;
      const expected = await truth<TruthTrade>(config, { exchange: c.exchange, type: 'trades', symbol: c.symbol, from, to: stored.at(-1)!.eventTime });
      assert.deepEqual(stored.filter((r) => r.eventTime >= from).map((r) => r.tradeId), expected.map((t) => t.id), `${c.exchange}: stored trade ids equal the ground truth exactly`);
      assert.ok(stored.some((r) => r.eventTime > outageStart && r.eventTime < outageStart + OUTAGE_MS), `${c.exchange}: trades of the outage were back-filled`);
      assert.ok(stored.some((r) => r.eventTime > stoppedAt + 1_000 && r.eventTime < restartedAt), `${c.exchange}: trades of the worker stop were back-filled`);
      const gaps = await storedRecords<CollectionGapRow>(config, COLLECTION_GAPS_TABLE, `exchange = ${quoted(c.exchange)} AND symbol = ${quoted(c.symbol)} AND detected_at >= ${since}`);
      assert.deepEqual(gaps, [], `${c.exchange}: no gap was recorded`);
    }
  });
});
