/**
 * The parts of a worker's observability that need no services: what /health concludes from the pollers,
 * the per-collector summary lines, and the reliability and lag gauges read at scrape time.
 * `node --import tsx --test test/workers/metrics-units.test.ts`
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import pino from 'pino';
import { BreakerRegistry, type GrantedPermit } from '../../src/reliability/circuit-breaker';
import { DEFAULT_POLICIES } from '../../src/reliability/policies';
import { RateLimiterRegistry } from '../../src/reliability/rate-limiter';
import { GateRegistry } from '../../src/reliability/recovery-gate';
import { CollectorSummaries } from '../../src/workers/metrics/collector-summary';
import { workerHealth, type PolledWorker } from '../../src/workers/metrics/health';
import { LAG_FORGET_MS, WorkerMetrics } from '../../src/workers/metrics/registry';
import type { WorkerReliability } from '../../src/workers/reliability';

function polled(taskQueue: string, state: string, workflowPoller: string, activityPoller: string, activitiesOnly = false): PolledWorker {
  return {
    taskQueue,
    activitiesOnly,
    worker: { getState: () => state as never, getStatus: () => ({ workflowPollerState: workflowPoller as never, activityPollerState: activityPoller as never }) },
  };
}

function captured(): { log: pino.Logger; lines: Array<Record<string, unknown> & { msg: string }> } {
  const lines: Array<Record<string, unknown> & { msg: string }> = [];
  const log = pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l) as Record<string, unknown> & { msg: string }) });
  return { log, lines };
}

describe('/health', () => {
  it('is healthy only while every worker runs and its pollers poll', () => {
    assert.equal(workerHealth([polled('storage', 'RUNNING', 'POLLING', 'POLLING'), polled('collect-okx', 'RUNNING', 'POLLING', 'POLLING')]).healthy, true);
    assert.equal(workerHealth([polled('storage', 'RUNNING', 'POLLING', 'POLLING'), polled('collect-okx', 'STOPPING', 'POLLING', 'POLLING')]).healthy, false, 'draining');
    assert.equal(workerHealth([polled('storage', 'INITIALIZED', 'POLLING', 'POLLING')]).healthy, false, 'not started');
    assert.equal(workerHealth([polled('storage', 'RUNNING', 'FAILED', 'POLLING')]).healthy, false, 'workflow poller failed');
    assert.equal(workerHealth([polled('storage', 'RUNNING', 'POLLING', 'SHUTDOWN')]).healthy, false, 'activity poller stopped');
    assert.equal(workerHealth([polled('storage', 'RUNNING', 'SHUTDOWN', 'POLLING', true)]).healthy, true, 'an activity-only worker polls no workflows');
    assert.equal(workerHealth([]).healthy, false, 'no worker at all');
    assert.deepEqual(workerHealth([polled('storage', 'FAILED', 'FAILED', 'FAILED')]).workers, [{ taskQueue: 'storage', state: 'FAILED', workflowPoller: 'FAILED', activityPoller: 'FAILED' }]);
  });
});

describe('collector summary lines', () => {
  it('says per collector what was fetched and written and how far behind it is, then forgets idle ones', () => {
    let now = 1_000_000;
    const { log, lines } = captured();
    const s = new CollectorSummaries(60_000, log, () => now);
    s.fetched('collect/okx/trades/A+B', { exchange: 'okx', dataType: 'trades', symbols: ['A', 'B'], rows: 7, quarantined: 1, gaps: 0, newest: { A: now - 500, B: now - 2_500 } });
    s.fetched('collect/okx/trades/A+B', { exchange: 'okx', dataType: 'trades', symbols: ['A', 'B'], rows: 5, quarantined: 0, gaps: 2, newest: { A: now - 100 } });
    s.written('collect/okx/trades/A+B', 'primary', 12);
    s.written('collect/okx/trades/A+B', 'replica-1', 12);
    s.written('other-workflow', 'primary', 99);
    s.fetchFailed('collect/okx/trades/A+B', 'okx', 'trades', ['A', 'B'], 'ApplicationFailure: connect ECONNREFUSED');
    now += 1_000;
    s.flush();
    assert.equal(lines.length, 1);
    assert.equal(lines[0].msg, 'collector okx/trades: 12 rows fetched in 2 fetch(es); written primary 12, replica-1 12; lag 3.5 s; 1 quarantined; 2 gap(s); 1 failed fetch(es), last: ApplicationFailure: connect ECONNREFUSED');
    assert.equal(lines[0].level, 30);
    assert.equal(lines[0].workflowId, 'collect/okx/trades/A+B');
    assert.equal(lines[0].exchange, 'okx');
    assert.equal(lines[0].lagMs, 3_500, 'the most lagging symbol');
    assert.deepEqual(lines[0].rowsWritten, { primary: 12, 'replica-1': 12 });

    now += 60_000;
    s.flush();
    assert.equal(lines.length, 2);
    assert.equal(lines[1].msg, 'collector okx/trades: no fetch in the last 60.0 s, lag 63.5 s');
    s.flush();
    assert.equal(lines.length, 2, 'forgotten after one idle line');
  });
});

describe('reliability and lag gauges', () => {
  function reliability(breakers: BreakerRegistry, rateLimiters = new RateLimiterRegistry(DEFAULT_POLICIES), gates = new GateRegistry()): WorkerReliability {
    const interceptor = Object.assign((() => ({})) as ActivityInterceptorsFactory, { stop: () => undefined });
    return { policies: DEFAULT_POLICIES, breakers, rateLimiters, gates, interceptor };
  }

  it('reads breaker state, transitions, limiter rates and held gates when scraped', async () => {
    const breakers = new BreakerRegistry(DEFAULT_POLICIES.breaker);
    const limiters = new RateLimiterRegistry(DEFAULT_POLICIES);
    const gates = new GateRegistry();
    const metrics = new WorkerMetrics(reliability(breakers, limiters, gates));
    const okx = breakers.get('exchange:okx');
    breakers.get('store:primary');
    for (let i = 0; i < DEFAULT_POLICIES.breaker.consecutiveFailures; i++) okx.record(okx.tryAcquire() as GrantedPermit, 'failure');
    limiters.get('okx');
    gates.get('exchange:okx').hold(5_000, true, 'test');
    const text = await metrics.render();
    assert.match(text, /^marketprism_breaker_state\{dependency="exchange:okx"\} 2$/m);
    assert.match(text, /^marketprism_breaker_state\{dependency="store:primary"\} 0$/m);
    assert.match(text, /^marketprism_breaker_transitions_total\{dependency="exchange:okx",to="OPEN"\} 1$/m);
    assert.match(text, new RegExp(`^marketprism_rate_limit_rps\\{exchange="okx",priority="collection"\\} ${DEFAULT_POLICIES.rateLimits.defaults.collection}$`, 'm'));
    const held = Number(/^marketprism_dependency_held_seconds\{dependency="exchange:okx"\} (\S+)$/m.exec(text)?.[1]);
    assert.ok(held > 4 && held <= 5, `held ${held} s`);
  });

  it('reports lag as the age of the newest event fetched, and drops series nobody refreshes', async () => {
    let now = 10_000_000;
    const metrics = new WorkerMetrics(reliability(new BreakerRegistry()), undefined, () => now);
    metrics.sawEvent('okx', 'trades', 'BTC/USDT', now - 1_500);
    metrics.sawEvent('okx', 'trades', 'BTC/USDT', now - 9_000); // older: the newest stays
    assert.match(await metrics.render(), /^marketprism_collector_lag_seconds\{exchange="okx",data_type="trades",symbol="BTC\/USDT"\} 1\.5$/m);
    now += 2_000;
    assert.match(await metrics.render(), /^marketprism_collector_lag_seconds\{exchange="okx",data_type="trades",symbol="BTC\/USDT"\} 3\.5$/m);
    now += LAG_FORGET_MS;
    assert.doesNotMatch(await metrics.render(), /^marketprism_collector_lag_seconds\{/m);
  });

  it('serves the repair backlog per store from its source', async () => {
    const metrics = new WorkerMetrics(reliability(new BreakerRegistry()), { read: async () => [{ store: 'replica-2', pending: 17, failed: 1 }] });
    const text = await metrics.render();
    assert.match(text, /^marketprism_repair_backlog_batches\{store="replica-2"\} 17$/m);
    assert.match(text, /^marketprism_repair_failed_batches\{store="replica-2"\} 1$/m);
  });
});
