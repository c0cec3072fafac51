/**
 * The reliability layer through a real Temporal dev server: the policies a workflow builds its activity
 * options from, the interceptor's classification and the breaker, asserted from the workflow HISTORY.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { decodeRetryState } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Runtime, DefaultLogger, Worker } from '@temporalio/worker';
import pino from 'pino';
import { BreakerRegistry, type StateChange } from '../../src/reliability/circuit-breaker';
import { withOverrides } from '../../src/reliability/policies';
import { RateLimiterRegistry } from '../../src/reliability/rate-limiter';
import { freePort } from '../../src/services/process';
import { temporalBinary } from '../../src/services/temporal';
import { activityReliabilityInterceptors } from '../../src/workers/interceptors/activity-reliability';
import * as activities from './fixtures/failing-activities';
import type { CallResult } from './fixtures/reliability-workflow';

const TEMPORAL_BIN = temporalBinary();

// Seed attempts and breaker thresholds, with delays shrunk so the test takes seconds. The breaker's open
// duration stays long so the attempt after it opens is certain to be a fast-fail.
const policies = withOverrides({
  errorClasses: { connection: { baseDelayMs: 50 }, timeout: { baseDelayMs: 50 } },
  backoff: { minDelayMs: 20, maxDelayMs: 500 },
  breaker: { openDurationMs: 60_000 },
  activities: { exchangeFetch: { maximumAttempts: 6, initialIntervalMs: 50 } },
});

// activity failures are the point of this test; the worker's WARN line per failure would only be noise
Runtime.install({ logger: new DefaultLogger('ERROR') });

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const registry = new BreakerRegistry(policies.breaker);
const changes: StateChange[] = [];
const rateLimiters = new RateLimiterRegistry(policies);
const interceptors = activityReliabilityInterceptors(registry, {
  policies,
  rateLimiters,
  onStateChange: (change) => void changes.push(change),
  logger: pino({ level: 'silent' }),
});
const taskQueue = 'reliability-test';

before(async () => {
  env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: TEMPORAL_BIN }, port: await freePort(), ip: '127.0.0.1' },
  });
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowsPath: require.resolve('./fixtures/reliability-workflow'),
    activities,
    interceptors: { activity: [interceptors] },
  });
  running = worker.run();
});

after(async () => {
  interceptors.stop();
  worker?.shutdown();
  await running;
  await env?.teardown();
});

interface ActivityHistory {
  lastAttempt: number;
  lastFailureBefore?: { type?: string | null; nonRetryable?: boolean | null; nextRetryDelayMs?: number };
  failure: { type?: string | null; nonRetryable?: boolean | null; message?: string | null };
  retryState?: string;
}

function durationMs(d: { seconds?: unknown; nanos?: number | null } | null | undefined): number | undefined {
  return d ? Number(d.seconds ?? 0) * 1000 + Math.round((d.nanos ?? 0) / 1e6) : undefined;
}

async function runAndReadHistory(id: string, input: activities.FailingInput): Promise<{ result: CallResult; history: ActivityHistory }> {
  const result: CallResult = await env.client.workflow.execute('callFailingActivity', { taskQueue, workflowId: id, args: [policies, input] });
  const events = (await env.client.workflow.getHandle(id).fetchHistory()).events ?? [];
  const started = events.filter((e) => e.activityTaskStartedEventAttributes).map((e) => e.activityTaskStartedEventAttributes!);
  const failed = events.filter((e) => e.activityTaskFailedEventAttributes).map((e) => e.activityTaskFailedEventAttributes!);
  assert.equal(started.length, 1, 'one activity; history records its last attempt');
  assert.equal(failed.length, 1);
  const info = failed[0].failure?.applicationFailureInfo;
  const last = started[0].lastFailure?.applicationFailureInfo;
  return {
    result,
    history: {
      lastAttempt: started[0].attempt ?? 0,
      lastFailureBefore: last ? { type: last.type, nonRetryable: last.nonRetryable, nextRetryDelayMs: durationMs(last.nextRetryDelay) } : undefined,
      failure: { type: info?.type, nonRetryable: info?.nonRetryable, message: failed[0].failure?.message },
      retryState: decodeRetryState(failed[0].retryState),
    },
  };
}

describe('activity-reliability interceptor on a real Temporal server', () => {
  it('a bad symbol fails at once, non-retryable, and does not count against the breaker', async () => {
    const { result, history } = await runAndReadHistory('reliability/bad-symbol', { exchange: 'okx', mode: 'bad_symbol' });
    assert.deepEqual(result, { type: 'bad_request', nonRetryable: true });
    assert.equal(history.lastAttempt, 1);
    assert.deepEqual([history.failure.type, history.failure.nonRetryable], ['bad_request', true]);
    assert.match(history.failure.message ?? '', /NOPE\/USDT.*check the symbols in the config/);
    assert.equal(history.retryState, 'NON_RETRYABLE_FAILURE');
    assert.equal(registry.get('exchange:okx').state(), 'CLOSED');
  });

  it('5 connection failures open the breaker; the 6th attempt fails fast with circuit_open', async () => {
    const { result, history } = await runAndReadHistory('reliability/refused', { exchange: 'binance', mode: 'refused', closedPort: await freePort() });
    assert.equal(activities.invocations.get('binance'), 5, 'attempt 6 never reached the activity');
    assert.equal(history.lastAttempt, 6);
    assert.equal(history.lastFailureBefore?.type, 'connection');
    assert.equal(history.lastFailureBefore?.nonRetryable, false);
    const delay = history.lastFailureBefore?.nextRetryDelayMs ?? -1;
    assert.ok(delay >= 20 && delay <= 500, `attempt 5 retried after a jittered class backoff within [20, 500] ms, got ${delay}`);
    assert.deepEqual([history.failure.type, history.failure.nonRetryable], ['circuit_open', false]);
    assert.match(history.failure.message ?? '', /exchange:binance is failing, its circuit breaker is OPEN; next probe in \d+\.\ds/);
    assert.equal(history.retryState, 'MAXIMUM_ATTEMPTS_REACHED');
    assert.deepEqual(result, { type: 'circuit_open', nonRetryable: false });
    assert.deepEqual(
      changes.map((c) => [c.dependency, c.from, c.to]),
      [['exchange:binance', 'CLOSED', 'OPEN']],
      'the onStateChange hook heard the breaker open',
    );
  });

  it('a class budget spent ends the retries: timeout x3 then timeout_budget_spent', async () => {
    const { result, history } = await runAndReadHistory('reliability/timeout', { exchange: 'bybit', mode: 'timeout' });
    assert.equal(activities.invocations.get('bybit'), 4);
    assert.equal(history.lastAttempt, 4);
    assert.equal(history.lastFailureBefore?.type, 'timeout');
    assert.equal(history.lastFailureBefore?.nonRetryable, false);
    assert.deepEqual([history.failure.type, history.failure.nonRetryable], ['timeout_budget_spent', true]);
    assert.equal(history.retryState, 'NON_RETRYABLE_FAILURE');
    assert.deepEqual(result, { type: 'timeout_budget_spent', nonRetryable: true });
    assert.equal(registry.get('exchange:bybit').state(), 'CLOSED', '4 consecutive failures stay under the threshold of 5');
  });

  it('a 429 is retried after its Retry-After, slows the exchange down, and spends the rate_limit budget of 3', async () => {
    const { result, history } = await runAndReadHistory('reliability/rate-limited', { exchange: 'deribit', mode: 'rate_limited' });
    assert.equal(history.lastAttempt, 4);
    assert.deepEqual(history.lastFailureBefore, { type: 'rate_limit', nonRetryable: false, nextRetryDelayMs: 200 });
    assert.deepEqual(result, { type: 'rate_limit_budget_spent', nonRetryable: true });
    assert.ok(rateLimiters.get('deribit').rate('collection') < 10, 'the adaptive limiter cut the rate');
  });
});
