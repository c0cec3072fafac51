/**
 * Each fault the simulator can inject, end to end: ccxt over HTTP → the real fetchTrades activity → the
 * worker's reliability interceptor → Temporal's retries. Class, attempt count and delays are read from
 * the collector's workflow history.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { loadConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { collectQueue } from '../../src/domain/task-queues';
import { openAlerts } from '../../src/storage/open-alerts';
import { temporalClient } from '../../src/client/client';
import { startCollector } from '../../src/client/collectors';
import { startWorkers, type RunningWorkers } from '../../src/workers/start-workers';
import { failedActivities, type ActivityOutcome } from '../support/history';
import { clearFaults, setFault } from '../support/simulator-admin';
import { eventually } from '../support/wait';

const base = loadConfig();
// Seed budgets, with delays shrunk so the whole file takes seconds, and the breaker out of the way
// (its own tests are elsewhere): here every attempt must reach the exchange.
const config: Config = {
  ...base,
  exchanges: { ...base.exchanges, okx: { ...base.exchanges.okx, timeout: '1s' } },
  reliability: {
    errorClasses: { connection: { baseDelayMs: 50 }, server: { baseDelayMs: 50 }, timeout: { baseDelayMs: 50 }, rate_limit: { baseDelayMs: 50 } },
    backoff: { minDelayMs: 20, maxDelayMs: 200 },
    breaker: { consecutiveFailures: 10_000, minCalls: 10_000 },
  },
};

const BUDGET_ALERT = 'budget:fetchTrades:exchange:okx';

describe('simulator faults through the reliability layer', () => {
  let workers: RunningWorkers;
  let client: Client;
  let n = 0;

  before(async () => {
    workers = await startWorkers(config, { queues: [collectQueue('okx')], identity: 'fault-modes' });
    client = await temporalClient(config);
  });

  after(async () => {
    await clearFaults(config);
    await workers?.shutdown();
    await client?.connection.close();
  });

  /** Runs a collector under the fault until its first fetch gives up, and returns that failure from history. */
  async function firstGiveUp(symbols: string[]): Promise<ActivityOutcome> {
    n += 1;
    const { workflowId } = await startCollector(client, config, { exchange: 'okx', dataType: 'trades', symbols, intervalMs: 60_000 + n });
    try {
      return await eventually(`a failed fetch in ${workflowId}`, async () => (await failedActivities(client, workflowId))[0], 60_000);
    } finally {
      await client.workflow.getHandle(workflowId).terminate('test done');
      await clearFaults(config);
    }
  }

  /** retryAfterMs: the delay the exchange asked for, which wins over the class backoff */
  const cases: Array<{ mode: string; extra?: Record<string, unknown>; type: string; attempts: number; retryAfterMs?: number }> = [
    { mode: 'server_error', type: 'server_budget_spent', attempts: 5 },
    { mode: 'error_rate', extra: { rate: 1 }, type: 'server_budget_spent', attempts: 5 },
    { mode: 'reset', type: 'connection_budget_spent', attempts: 6 },
    { mode: 'outage', type: 'connection_budget_spent', attempts: 6 },
    { mode: 'hang', type: 'timeout_budget_spent', attempts: 4 },
    { mode: 'ban', extra: { retryAfterSec: 1 }, type: 'rate_limit_budget_spent', attempts: 4, retryAfterMs: 1_000 },
  ];
  for (const c of cases) {
    it(`${c.mode} ends in ${c.type} after ${c.attempts} attempts`, async () => {
      await setFault(config, { exchange: 'okx', mode: c.mode, ...c.extra });
      const outcome = await firstGiveUp(['BTC/USDT:USDT']);
      assert.equal(outcome.activityType, 'fetchTrades');
      assert.equal(outcome.failureType, c.type);
      assert.equal(outcome.nonRetryable, true, 'a spent budget is final');
      assert.equal(outcome.attempt, c.attempts);
      assert.equal(outcome.previousFailureType, c.type.replace('_budget_spent', ''));
      const delay = outcome.previousNextRetryDelayMs ?? -1;
      if (c.retryAfterMs !== undefined) assert.equal(delay, c.retryAfterMs, 'the retry waited what Retry-After asked');
      else assert.ok(delay >= 20 && delay <= 200, `retry delay from the class backoff with jitter, within [20, 200] ms: ${delay}`);
      const alert = await eventually('a budget-spent alert', async () => (await openAlerts(config)).alerts.find((a) => a.key === BUDGET_ALERT), 30_000);
      // one alert per activity and dependency (deduplicated), raised by whichever budget ran out first
      assert.match(alert.message, /fetchTrades against exchange:okx gave up \((server|connection|timeout|rate_limit)_budget_spent\)/);
    });
  }

  it('429 with Retry-After is honoured, and sustained 429s shrink the rate limiter, which recovers afterwards', async () => {
    const limiter = workers.reliability.rateLimiters.get('okx');
    const ceiling = limiter.rate('trades');
    await setFault(config, { exchange: 'okx', mode: 'rate_limit', retryAfterSec: 1 });
    const outcome = await firstGiveUp(['ETH/USDT:USDT']);
    assert.equal(outcome.failureType, 'rate_limit_budget_spent');
    assert.equal(outcome.attempt, 4);
    assert.equal(outcome.previousNextRetryDelayMs, 1_000, 'the retry waited exactly what Retry-After asked');
    assert.ok(outcome.elapsedMs >= 3_000, `three retries of 1 s each: ${outcome.elapsedMs} ms`);
    assert.ok(limiter.rate('trades') < ceiling, `rate shrank from ${ceiling} to ${limiter.rate('trades')}`);

    n += 1;
    const { workflowId } = await startCollector(client, config, { exchange: 'okx', dataType: 'trades', symbols: ['BTC/USDT'], intervalMs: 50 });
    try {
      await eventually('the limiter back at its ceiling', async () => (limiter.rate('trades') >= ceiling ? true : undefined), 60_000);
      await eventually('the budget alert resolved by the successes', async () => ((await openAlerts(config)).alerts.some((a) => a.key === BUDGET_ALERT) ? undefined : true), 30_000);
    } finally {
      await client.workflow.getHandle(workflowId).terminate('test done');
    }
  });

  it('a symbol the exchange does not list fails at once, non-retryable, with a clear message', async () => {
    n += 1;
    const { workflowId } = await startCollector(client, config, { exchange: 'okx', dataType: 'trades', symbols: ['NOPE/USDT'], intervalMs: 60_000 });
    try {
      const outcome = await eventually('a failed fetch', async () => (await failedActivities(client, workflowId))[0], 30_000);
      assert.equal(outcome.attempt, 1);
      assert.equal(outcome.failureType, 'bad_request');
      assert.equal(outcome.nonRetryable, true);
      assert.match(outcome.message ?? '', /NOPE\/USDT/);
    } finally {
      await client.workflow.getHandle(workflowId).terminate('test done');
    }
  });
});
