import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { activityOptions, retryPolicy, writeInsertOptions } from '../../src/reliability/activity-options';
import { backoffCeilingMs, repairProbeDelayMs, retryDelayMs } from '../../src/reliability/backoff';
import { reliabilityOverridesSchema } from '../../src/config/reliability-overrides';
import { ACTIVITY_KINDS, DEFAULT_POLICIES, ERROR_CLASSES, withOverrides, withinBudget } from '../../src/reliability/policies';

describe('retry delays', () => {
  it('seed values: connection 5 x 2 s, rate limit 3 x 5 s, server 4 x 1 s, timeout 3 x 3 s; bad input never retried', () => {
    const seeds = Object.fromEntries(ERROR_CLASSES.map((c) => [c, [DEFAULT_POLICIES.errorClasses[c].attempts, DEFAULT_POLICIES.errorClasses[c].baseDelayMs]]));
    assert.deepEqual(seeds, { connection: [5, 2000], rate_limit: [3, 5000], server: [4, 1000], timeout: [3, 3000], bad_request: [0, 0] });
  });

  it('the ceiling doubles per attempt and is capped at 60 s', () => {
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((a) => backoffCeilingMs('connection', a)), [2000, 4000, 8000, 16000, 32000, 60000, 60000]);
    assert.deepEqual([1, 2, 3, 4].map((a) => backoffCeilingMs('rate_limit', a)), [5000, 10000, 20000, 40000]);
  });

  it('full jitter spans [floor, ceiling]: random 0 gives the floor, random ~1 the ceiling', () => {
    assert.equal(retryDelayMs('server', 1, () => 0), 250);
    assert.equal(retryDelayMs('server', 1, () => 0.999999), 1000);
    assert.equal(retryDelayMs('connection', 3, () => 0.5), Math.round(250 + 0.5 * (8000 - 250)));
    assert.equal(retryDelayMs('timeout', 10, () => 0.999999), 60000);
  });

  it('real randomness stays in bounds and actually spreads (not a +-10 % band)', () => {
    const delays = Array.from({ length: 2000 }, () => retryDelayMs('connection', 4));
    assert.ok(delays.every((d) => d >= 250 && d <= 16000), 'every delay within [250, 16000]');
    const min = Math.min(...delays);
    const max = Math.max(...delays);
    assert.ok(min < 16000 * 0.25 && max > 16000 * 0.75, `spread over the interval, got ${min}..${max}`);
  });

  it('budget: a failure on attempt N is retried while N <= attempts', () => {
    assert.equal(withinBudget('connection', 5), true);
    assert.equal(withinBudget('connection', 6), false);
    assert.equal(withinBudget('bad_request', 1), false);
  });
});

describe('activity options', () => {
  it('every kind has a start-to-close timeout and a retry policy that never retries bad input or a spent budget', () => {
    for (const kind of ACTIVITY_KINDS) {
      const options = activityOptions(kind);
      assert.ok(typeof options.startToCloseTimeout === 'number' && options.startToCloseTimeout > 0, kind);
      assert.ok(options.retry?.nonRetryableErrorTypes?.includes('bad_request'), kind);
      assert.ok(options.retry?.nonRetryableErrorTypes?.includes('connection_budget_spent'), kind);
      assert.equal(options.retry?.maximumInterval, 60_000, kind);
    }
  });

  it('long-running kinds heartbeat, short ones do not', () => {
    assert.equal(activityOptions('repairCopy').heartbeatTimeout, 30_000);
    assert.equal(activityOptions('backupExport').heartbeatTimeout, 30_000);
    assert.equal(activityOptions('exchangeFetch').heartbeatTimeout, undefined);
  });

  it('is plain JSON, so a policy set can travel as workflow input', () => {
    assert.deepEqual(JSON.parse(JSON.stringify(DEFAULT_POLICIES)), DEFAULT_POLICIES);
  });
});

describe('overrides', () => {
  it('withOverrides merges deeply and leaves the defaults alone', () => {
    const before = JSON.stringify(DEFAULT_POLICIES);
    const p = withOverrides({ errorClasses: { connection: { attempts: 2 } }, breaker: { openDurationMs: 5_000 }, rateLimits: { exchanges: { okx: { trades: 20 } } } });
    assert.deepEqual(p.errorClasses.connection, { attempts: 2, baseDelayMs: 2000 });
    assert.equal(p.breaker.openDurationMs, 5_000);
    assert.equal(p.breaker.consecutiveFailures, 5);
    assert.deepEqual(p.rateLimits.exchanges.okx, { trades: 20 });
    assert.equal(p.rateLimits.defaults.trades, 100);
    assert.equal(JSON.stringify(DEFAULT_POLICIES), before);
  });

  it('the config schema fragment turns duration strings into milliseconds', () => {
    const parsed = reliabilityOverridesSchema.parse({
      errorClasses: { connection: { baseDelay: '500ms' } },
      backoff: { maxDelay: '2m' },
      activities: { storeInsert: { startToCloseTimeout: '90s', maximumAttempts: 4 } },
      breaker: { window: '30s', openDuration: '10s' },
      rateLimits: { defaults: { trades: 50 }, decreaseCooldown: '2s' },
    });
    assert.deepEqual(parsed, {
      errorClasses: { connection: { baseDelayMs: 500 } },
      backoff: { maxDelayMs: 120_000 },
      activities: { storeInsert: { startToCloseTimeoutMs: 90_000, maximumAttempts: 4 } },
      breaker: { windowMs: 30_000, openDurationMs: 10_000 },
      rateLimits: { defaults: { trades: 50 }, decreaseCooldownMs: 2_000 },
    });
    const p = withOverrides(parsed);
    assert.deepEqual(p.errorClasses.connection, { attempts: 5, baseDelayMs: 500 });
    assert.equal(p.activities.storeInsert.scheduleToCloseTimeoutMs, DEFAULT_POLICIES.activities.storeInsert.scheduleToCloseTimeoutMs);
  });

  it('rejects bad values with a message naming what is allowed', () => {
    const bad = reliabilityOverridesSchema.safeParse({ breaker: { openDuration: '10 seconds' } });
    assert.equal(bad.success, false);
    assert.match(bad.error!.issues[0].message, /a duration like 500ms/);
    assert.equal(reliabilityOverridesSchema.safeParse({ errorClasses: { network: { attempts: 1 } } }).success, false);
    assert.equal(reliabilityOverridesSchema.safeParse({ breaker: { countedClasses: ['bad_request'] } }).success, false);
  });
});

describe('writes overrides (redundant writes and repair)', () => {
  it('every writes policy can be overridden from config, durations as strings, and the rest keeps its defaults', () => {
    const parsed = reliabilityOverridesSchema.parse({
      writes: {
        quorumGrace: '2s',
        quorumAlertAfter: '1m',
        insertRetryMaxInterval: '3s',
        insertHeartbeatTimeout: '20s',
        stagedStartTimeout: '7s',
        roundBaseDelay: '500ms',
        roundMaxDelay: '10s',
        repairProbeWait: '3s',
        repairProbeBaseDelay: '200ms',
        repairProbeMaxDelay: '4s',
        repairMaxPending: 100,
        repairHistoryEvents: 2000,
        repairFailedKept: 7,
        hintsPerSignal: 50,
      },
    });
    const expected = {
      quorumGraceMs: 2_000,
      quorumAlertAfterMs: 60_000,
      insertRetryMaxIntervalMs: 3_000,
      insertHeartbeatTimeoutMs: 20_000,
      stagedStartTimeoutMs: 7_000,
      roundBaseDelayMs: 500,
      roundMaxDelayMs: 10_000,
      repairProbeWaitMs: 3_000,
      repairProbeBaseDelayMs: 200,
      repairProbeMaxDelayMs: 4_000,
      repairMaxPending: 100,
      repairHistoryEvents: 2000,
      repairFailedKept: 7,
      hintsPerSignal: 50,
    };
    assert.deepEqual(parsed, { writes: expected });
    // every field of the policy is reachable from config
    assert.deepEqual(Object.keys(expected).sort(), Object.keys(DEFAULT_POLICIES.writes).sort());
    assert.deepEqual(withOverrides(parsed).writes, expected);

    const partial = withOverrides(reliabilityOverridesSchema.parse({ writes: { quorumGrace: '1s' } }));
    assert.deepEqual(partial.writes, { ...DEFAULT_POLICIES.writes, quorumGraceMs: 1_000 });
    assert.equal(repairProbeDelayMs(10, partial), DEFAULT_POLICIES.writes.repairProbeMaxDelayMs);
    assert.equal(repairProbeDelayMs(10, withOverrides(parsed)), 4_000);
  });

  it('rejects bad writes values: unknown keys, bare numbers for durations, counts below 1', () => {
    for (const [writes, pattern] of [
      [{ quorumGrace: 5000 }, /expected string/],
      [{ quorumGrace: '5 seconds' }, /a duration like 500ms/],
      [{ repairMaxPending: 0 }, />=1|too small/i],
      [{ hintsPerSignal: 2.5 }, /int/i],
      [{ quorum: 2 }, /unrecognized key/i],
    ] as const) {
      const r = reliabilityOverridesSchema.safeParse({ writes });
      assert.equal(r.success, false, JSON.stringify(writes));
      assert.match(r.error!.issues.map((i) => i.message).join('; '), pattern, JSON.stringify(writes));
    }
  });
});

describe('retry policies Temporal accepts', () => {
  it('never have a maximum interval below the initial interval, whatever the backoff cap', () => {
    const policies = withOverrides({ backoff: { maxDelayMs: 200 } });
    for (const kind of ACTIVITY_KINDS) {
      const retry = retryPolicy(kind, policies);
      assert.ok(Number(retry.maximumInterval) >= Number(retry.initialInterval), `${kind}: ${String(retry.maximumInterval)} >= ${String(retry.initialInterval)}`);
    }
    const insert = writeInsertOptions(policies).retry!;
    assert.ok(Number(insert.maximumInterval) >= Number(insert.initialInterval));
  });
});
