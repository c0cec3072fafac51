import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load';
import { collectQueue, STORAGE_QUEUE } from '../../src/domain/task-queues';
import type { AlertRow } from '../../src/storage/records';
import type { CollectionGapRow, QuarantineRow } from '../../src/domain/rows';
import { ALERTS_TABLE, COLLECTION_GAPS_TABLE, QUARANTINE_TABLE } from '../../src/storage/tables';
import { collectorInput, collectorWorkflowId } from '../../src/client/collectors';
import { collectQueue as queueOf } from '../../src/domain/task-queues';
import { failedActivities } from '../support/history';
import { setTradeHistory } from '../support/simulator-admin';
import { eventually } from '../support/wait';
import { clearFaults, collectorHarness, quoted, setFault, storedRecords, storedRows, truth } from './collector-fixture';

/**
 * Bad answers from an exchange: malformed and truncated bodies are quarantined and counted while the
 * collector keeps going (gap-free); history the exchange no longer serves becomes a recorded gap and an alert.
 */
type TruthTrade = { id: string; timestamp: number };
/** this test's rows, gaps and alerts (the stack is shared with other test files) */
const since = Date.now();

describe('collectors under malformed responses and lost history', () => {
  const config = loadConfig();
  const h = collectorHarness(config, [collectQueue('okx'), collectQueue('binanceusdm'), STORAGE_QUEUE], 'collector-faults', () => clearFaults(config));

  it('quarantines and counts malformed and truncated bodies, and keeps collecting without a gap', async () => {
    const cases = [
      { exchange: 'okx', symbol: 'BTC/USDT', mode: 'malformed' },
      { exchange: 'binanceusdm', symbol: 'ETH/USDT:USDT', mode: 'truncated' },
    ];
    const ids = [];
    for (const c of cases) ids.push(await h.collectors.start({ exchange: c.exchange, dataType: 'trades', symbols: [c.symbol], intervalMs: 300 }));
    for (const id of ids) await h.collectors.waitFor(id, 'first rows', (s) => s.rowsWritten >= 20);
    const faultStart = Date.now();
    // the fault lasts until every collector has met it: a fixed window could pass while a collector is writing
    for (const c of cases) await setFault(config, { exchange: c.exchange, mode: c.mode, rate: 0.6 });
    for (const id of ids) await h.collectors.waitFor(id, 'a bad body counted', (s) => s.rejectedItems >= 1, 90_000);
    await clearFaults(config);
    const faultEnd = Date.now();
    const counted: number[] = [];
    for (const id of ids) {
      // and caught up past it: a fresh collector resumes from the newest stored trade, which earlier tests may have
      // left minutes back, so it can still be back-filling when the fault ends
      const status = await h.collectors.waitFor(id, 'bad bodies counted, collecting again after the fault', (s) => (s.lastSuccessTime ?? 0) > faultEnd && Object.values(s.cursors).every((c) => c.lastTime > faultEnd));
      assert.equal(status.consecutiveErrors, 0);
      // each bad body ended its fetch (the collector's next iteration is the retry) and was counted once
      const failedFetches = (await failedActivities(h.client, id)).filter((a) => a.activityType === 'fetchTrades');
      assert.ok(failedFetches.every((f) => /not JSON/.test(f.message ?? '') && f.nonRetryable));
      assert.equal(status.rejectedItems, failedFetches.length);
      counted.push(status.rejectedItems);
    }
    await h.collectors.stopAll();
    for (const [i, c] of cases.entries()) {
      // at quorum: the write returned once `writeQuorum` stores held it (a third may get it later by repair)
      let seen: number[] = [];
      const quarantined = await eventually(`${c.exchange}: every counted body in quarantine at quorum`, async () => {
        const perStore = await Promise.all(
          config.stores.map((store) =>
            storedRecords<QuarantineRow>(config, QUARANTINE_TABLE, `exchange = ${quoted(c.exchange)} AND data_type = 'trades' AND symbol = ${quoted(c.symbol)} AND received_at >= ${since}`, store),
          ),
        );
        seen = perStore.map((rows) => rows.length);
        const complete = perStore.filter((rows) => rows.length === counted[i]);
        return complete.length >= config.writeQuorum && seen.every((n) => n <= counted[i]) ? complete[0] : undefined;
      }).catch((err: Error) => {
        throw new Error(`${err.message}: stored per store ${seen.join('/')}, counted ${counted[i]}`);
      });
      for (const q of quarantined) {
        assert.equal(q.symbol, c.symbol);
        assert.match(q.reason, /not JSON/);
        assert.ok(q.raw.length > 0 && q.receivedAt >= faultStart, 'raw body kept with its receive time');
      }
      if (c.mode === 'malformed') assert.ok(quarantined.some((q) => q.raw.includes('"oops"')), 'the malformed body verbatim');
      const stored = await storedRows(config, 'trades', c.exchange, c.symbol, since);
      const from = stored[0].eventTime + 1;
      const expected = await truth<TruthTrade>(config, { exchange: c.exchange, type: 'trades', symbol: c.symbol, from, to: stored.at(-1)!.eventTime });
      assert.deepEqual(stored.filter((r) => r.eventTime >= from).map((r) => r.tradeId), expected.map((t) => t.id), `${c.exchange}: no gap and no duplicate through the fault`);
      assert.ok(stored.some((r) => r.eventTime > faultStart && r.eventTime < faultEnd), 'trades of the fault window are stored');
    }
  });

  it('records a gap and raises an alert when the exchange no longer serves the trades after the cursor', async () => {
    const symbol = 'ETH/USDT:USDT';
    // okx keeps 3 months of history-trades, like the real one: here it keeps only the last 60 s (1200 trades at
    // 20/s; restored by clearFaults), and the cursor is five minutes old, so ~4 minutes of trades are lost
    await setTradeHistory(config, 'okx', '60s');
    const old = await truth<TruthTrade>(config, { exchange: 'okx', type: 'trades', symbol, from: Date.now() - 300_000, to: Date.now() - 299_000 });
    const cursorTrade = old.at(-1)!;
    const spec = { exchange: 'okx', dataType: 'trades' as const, symbols: [symbol], intervalMs: 500 };
    const workflowId = collectorWorkflowId(spec);
    await h.client.workflow.start('CollectorWorkflow', {
      workflowId,
      taskQueue: queueOf('okx'),
      args: [{
        ...collectorInput(config, spec),
        carried: {
          cursors: { [symbol]: { lastTime: cursorTrade.timestamp, idsAtLastTime: [cursorTrade.id] } },
          rowsWritten: 0, batchesWritten: 0, rejectedItems: 0, gapsFound: 0, consecutiveErrors: 0, lastSuccessTime: null, lastError: null, paused: false, runs: 1,
        },
      }],
    });
    h.collectors.ids.push(workflowId);
    const status = await h.collectors.waitFor(workflowId, 'gap found and rows written', (s) => s.gapsFound === 1 && s.rowsWritten > 0);
    assert.equal(status.consecutiveErrors, 0);

    const gaps = await eventually('gap row stored', async () => {
      const rows = await storedRecords<CollectionGapRow>(config, COLLECTION_GAPS_TABLE, `exchange = 'okx' AND symbol = ${quoted(symbol)} AND detected_at >= ${since}`);
      return rows.length ? rows : undefined;
    });
    assert.equal(gaps.length, 1);
    const [gap] = gaps;
    const stored = await storedRows(config, 'trades', 'okx', symbol, since);
    assert.equal(gap.fromTime, cursorTrade.timestamp, 'the gap starts at the cursor');
    assert.equal(gap.toTime, stored[0].eventTime, 'and ends at the first trade the exchange still served');
    assert.equal(gap.dataType, 'trades');
    const lost = await truth<TruthTrade>(config, { exchange: 'okx', type: 'trades', symbol, from: gap.fromTime, to: gap.toTime - 1 });
    const firstId = BigInt(stored[0].tradeId);
    assert.match(gap.reason, new RegExp(`ids ${BigInt(cursorTrade.id) + 1n}\\.\\.${firstId - 1n}`), 'the reason names the missing ids');
    assert.ok(lost.length > 3_000, `the gap covers the ~4 minutes of trades the exchange could no longer serve (${lost.length})`);

    const alerts = await eventually('gap alert stored', async () => {
      const rows = await storedRecords<AlertRow>(config, ALERTS_TABLE, `key LIKE 'gap:okx:trades:%' AND raised_at >= ${since}`);
      return rows.length ? rows : undefined;
    });
    assert.equal(alerts[0].severity, 'warning');
    assert.equal(alerts[0].source, workflowId);
    assert.match(alerts[0].message, /gap from/);
    await h.collectors.stopAll();
  });
});
