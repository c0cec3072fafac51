import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../../src/config/load';
import type { StoreConfig } from '../../src/config/schema';
import type { CollectionGapRow, TradeRow } from '../../src/domain/rows';
import { collectQueue, STORAGE_QUEUE } from '../../src/domain/task-queues';
import { startTemporal, stopTemporal } from '../../src/services/temporal';
import { COLLECTION_GAPS_TABLE } from '../../src/storage/tables';
import { temporalClient } from '../../src/client/client';
import { startWorkers, type RunningWorkers } from '../../src/workers/start-workers';
import { eventually } from '../support/wait';
import { clearFaults, Collectors, quoted, setFault, storedRecords, storedRows, truth } from './collector-fixture';

/**
 * Issue 5, "gap-free trades": after a 60 s exchange outage, a 60 s stop of all workers and a restart of the
 * Temporal server, the stored trade ids equal the simulator's ground truth exactly (no gap, no duplicate) in
 * every store, for each forward-paging strategy: okx history-trades `before`, binance aggTrades `fromId`.
 * The two happen one after the other: the outage with the workers running (they must come back on their
 * own), then the stop with the Temporal dev server restarted on its SQLite file while the collectors exist.
 * Both are well inside the exchanges' fetchable history (okx 3 months, binance everything; docs/simulator.md).
 */
const OUTAGE_MS = 60_000;
const WORKERS_STOPPED_MS = 60_000;
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

/** Ground truth ids from the first to the last stored trade, in exchange order: what gap-free storage holds. */
async function expectedIds(config: ReturnType<typeof loadConfig>, exchange: string, stored: TradeRow[]): Promise<string[]> {
  const [first, last] = [BigInt(stored[0].tradeId), BigInt(stored.at(-1)!.tradeId)];
  const emitted = await truth<TruthTrade>(config, { exchange, type: 'trades', symbol: SYMBOL, from: stored[0].eventTime, to: stored.at(-1)!.eventTime });
  return emitted.map((t) => t.id).filter((id) => BigInt(id) >= first && BigInt(id) <= last);
}

/** Stored ids (FINAL) in exchange order: by id, so ties on the event millisecond cannot reorder them. */
async function idsIn(config: ReturnType<typeof loadConfig>, exchange: string, store: StoreConfig): Promise<string[]> {
  const ids = (await storedRows(config, 'trades', exchange, SYMBOL, since, store)).map((r) => BigInt(r.tradeId));
  return ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String);
}

describe('trades stay gap-free across an exchange outage, a stop of all workers and a Temporal restart', () => {
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
    await startTemporal(config); // no-op when healthy: a failure mid-restart must not leave the stack without it
    await collectors?.stopAll();
    await client?.connection.close();
    await workers?.shutdown();
  });

  it('back-fills everything the exchange still serves, in order, exactly once, in every store', async () => {
    for (const c of CASES) ids[c.exchange] = await collectors.start({ exchange: c.exchange, dataType: 'trades', symbols: [c.symbol], intervalMs: 500 });
    for (const c of CASES) await collectors.waitFor(ids[c.exchange], 'first rows', (s) => s.rowsWritten >= 20);

    // 1. the exchanges drop every connection for 60 s while the workers keep trying
    const settingFaults = Date.now();
    for (const c of CASES) await setFault(config, { exchange: c.exchange, mode: 'outage', forMs: OUTAGE_MS });
    // both exchanges are down from outageStart (faults set) until at least outageEnd (the first one expires)
    const outageStart = Date.now();
    const outageEnd = settingFaults + OUTAGE_MS;
    for (const c of CASES) {
      await collectors.waitFor(ids[c.exchange], 'success after the outage', (s) => (s.lastSuccessTime ?? 0) > outageEnd, OUTAGE_MS + 90_000);
    }

    // 2. every worker stops for 60 s while the market keeps trading; meanwhile the Temporal server restarts
    await workers!.shutdown();
    workers = undefined;
    const stoppedAt = Date.now();
    assert.equal(await stopTemporal(config), true, 'the Temporal dev server was running');
    await startTemporal(config);
    await eventually(`${WORKERS_STOPPED_MS} ms of trades emitted while no worker runs`, async () => {
      const emitted = await truth<TruthTrade>(config, { exchange: 'okx', type: 'trades', symbol: SYMBOL, from: stoppedAt + WORKERS_STOPPED_MS, to: Date.now() });
      return emitted.length > 0 ? true : undefined;
    }, WORKERS_STOPPED_MS + 30_000, 500);
    const restartedAt = Date.now();
    workers = await startWorkers(config, { queues, identity: 'gap-free-2' });
    for (const c of CASES) {
      await eventually(`${c.exchange} caught up after the restart`, async () => ((await newestStored(config, c.exchange))?.eventTime ?? 0) > restartedAt + 1_000 ? true : undefined, 90_000, 300);
    }
    const statuses = await Promise.all(CASES.map((c) => collectors.status(ids[c.exchange])));
    await collectors.stopAll();

    for (const [i, c] of CASES.entries()) {
      assert.equal(statuses[i].gapsFound, 0, `${c.exchange}: the collector found no gap`);
      const stored = await storedRows(config, 'trades', c.exchange, c.symbol, since);
      assert.ok(stored[0].eventTime < outageStart && stored.at(-1)!.eventTime > restartedAt, `${c.exchange}: the stored window spans the outage and the stop`);
      const expected = await expectedIds(config, c.exchange, stored);
      assert.ok(expected.length > (OUTAGE_MS + WORKERS_STOPPED_MS) / 1_000 * config.simulator.tradesPerSecond, `${c.exchange}: ${expected.length} trades in the window`);
      for (const store of config.stores) {
        // the third store may still be receiving its copy (quorum is 2 of 3): wait for it, then compare exactly
        const inStore = await eventually(`${c.exchange}: ${store.id} holds the window`, async () => {
          const got = await idsIn(config, c.exchange, store);
          return got.length >= expected.length ? got : undefined;
        }, 60_000, 500).catch(() => idsIn(config, c.exchange, store));
        assert.deepEqual(inStore, expected, `${c.exchange}: ${store.id} holds exactly the ground truth ids (no gap, no duplicate)`);
        const gaps = await storedRecords<CollectionGapRow>(config, COLLECTION_GAPS_TABLE, `exchange = ${quoted(c.exchange)} AND symbol = ${quoted(c.symbol)} AND detected_at >= ${since}`, store);
        assert.deepEqual(gaps, [], `${c.exchange}: ${store.id} recorded no gap`);
      }
      // the trades of each window could only have been fetched after it ended: they were back-filled
      const duringOutage = stored.filter((r) => r.eventTime > outageStart && r.eventTime < outageEnd);
      assert.ok(duringOutage.length > 0 && duringOutage.every((r) => r.receiveTime >= outageEnd), `${c.exchange}: the outage's trades were back-filled after it`);
      const whileStopped = stored.filter((r) => r.eventTime > stoppedAt && r.eventTime < restartedAt);
      assert.ok(whileStopped.length > 0 && whileStopped.every((r) => r.receiveTime >= restartedAt), `${c.exchange}: the stop's trades were back-filled by the new workers`);
    }
  });
});
