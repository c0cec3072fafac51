/**
 * Issue #13's mechanism, end to end: a fetch waiting out a long backoff against an exchange that is down is
 * released as soon as the health probe sees the exchange answer again, not when its backoff ends. Asserted on
 * the mechanism (the same activity, no final failure, completed long before its planned retry), not a timing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { collectQueue, STORAGE_QUEUE } from '../../src/domain/task-queues';
import { collectorHarness, clearFaults, setFault } from '../workflows/collector-fixture';
import { failedActivities } from '../support/history';
import { eventually } from '../support/wait';

const base = loadConfig();
/** Every connection failure backs off exactly 60 s: far longer than the test waits for the release. */
const BACKOFF_MS = 60_000;
const config: Config = {
  ...base,
  exchanges: { ...base.exchanges, okx: { ...base.exchanges.okx, timeout: '1s' } },
  reliability: {
    ...base.reliability,
    errorClasses: { connection: { baseDelayMs: BACKOFF_MS } },
    backoff: { minDelayMs: BACKOFF_MS, maxDelayMs: 2 * BACKOFF_MS },
  },
};

describe('recovery gate on a real worker', () => {
  const h = collectorHarness(config, [collectQueue('okx'), STORAGE_QUEUE], 'recovery-release', async () => clearFaults(config));

  it('a fetch held by a 60 s backoff goes the moment the probe sees okx answer again', async () => {
    const id = await h.collectors.start({ exchange: 'okx', dataType: 'trades', symbols: ['BTC/USDT'], intervalMs: 1_000 });
    await h.collectors.waitFor(id, 'first rows', (s) => s.rowsWritten > 0);
    const gate = h.workers.reliability.gates.get('exchange:okx');

    await setFault(config, { exchange: 'okx', mode: 'outage' });
    await eventually('a failed fetch to hold the okx gate for its backoff', async () => (gate.remainingMs() > BACKOFF_MS / 2 ? true : undefined), 30_000, 100);
    const heldFor = gate.remainingMs();
    await clearFaults(config);
    const outageEnded = Date.now();

    const status = await h.collectors.waitFor(id, 'a fetch after the outage', (s) => (s.lastSuccessTime ?? 0) > outageEnded, BACKOFF_MS / 2);
    assert.ok(status.lastSuccessTime! - outageEnded < heldFor, 'released before the backoff ended');
    assert.equal(gate.remainingMs(), 0, 'the gate is open again');
    assert.deepEqual(await failedActivities(h.client, id), [], 'the waiting attempt itself went through: no fetch gave up');
  });
});
