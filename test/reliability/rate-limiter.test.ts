import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_POLICIES, withOverrides, type Priority } from '../../src/reliability/policies';
import { ExchangeRateLimiter, RateLimiterRegistry, maxTaskQueueActivitiesPerSecond } from '../../src/reliability/rate-limiter';
import { ManualClock, settle } from './manual-clock';

/** Starts n acquires and counts how many have been granted so far. */
function start(limiter: ExchangeRateLimiter, priority: Priority, n: number): { granted: () => number; all: Promise<void[]> } {
  let granted = 0;
  const all = Promise.all(Array.from({ length: n }, () => limiter.acquire(priority).then(() => void (granted += 1))));
  return { granted: () => granted, all };
}

describe('rate limiter', () => {
  it('defaults: collection 10/s, trades 100/s, health 5/s, admin 1/s', () => {
    assert.deepEqual(DEFAULT_POLICIES.rateLimits.defaults, { collection: 10, trades: 100, health: 5, admin: 1 });
  });

  it('hands out one second of burst, then one token per 1/rate seconds', async () => {
    const clock = new ManualClock();
    const limiter = new ExchangeRateLimiter('okx', DEFAULT_POLICIES, clock);
    const calls = start(limiter, 'collection', 15);
    await settle();
    assert.equal(calls.granted(), 10, 'burst of 10');
    await clock.advance(99);
    assert.equal(calls.granted(), 10, 'the 11th token is due at 100 ms');
    await clock.advance(1);
    assert.equal(calls.granted(), 11);
    await clock.advance(400);
    assert.equal(calls.granted(), 15);
    await calls.all;
  });

  it('priorities have their own buckets: a flood of collection calls does not starve health checks', async () => {
    const clock = new ManualClock();
    const limiter = new ExchangeRateLimiter('okx', DEFAULT_POLICIES, clock);
    const flood = start(limiter, 'collection', 50);
    const admin = start(limiter, 'admin', 2);
    await settle();
    const health = start(limiter, 'health', 5);
    await settle();
    assert.equal(health.granted(), 5);
    assert.equal(flood.granted(), 10);
    assert.equal(admin.granted(), 1, 'admin: 1/s');
    await clock.advance(1000, 10);
    assert.equal(admin.granted(), 2);
    assert.equal(flood.granted(), 20);
    await clock.advance(3000, 10);
    await Promise.all([flood.all, admin.all, health.all]);
  });

  it('halves the rate on 429, honours Retry-After, and recovers additively, never above the ceiling', async () => {
    const clock = new ManualClock();
    const limiter = new ExchangeRateLimiter('okx', DEFAULT_POLICIES, clock);
    limiter.onRateLimited(2_000);
    assert.equal(limiter.rate('collection'), 5);
    assert.equal(limiter.rate('trades'), 50);
    limiter.onRateLimited(); // same burst (within the cooldown): no second cut
    assert.equal(limiter.rate('collection'), 5);

    const calls = start(limiter, 'collection', 1);
    await clock.advance(1_999, 10);
    assert.equal(calls.granted(), 0, 'paused for Retry-After');
    await clock.advance(11);
    assert.equal(calls.granted(), 1);

    await clock.advance(1_000);
    limiter.onRateLimited();
    assert.equal(limiter.rate('collection'), 2.5);
    for (let i = 0; i < 10; i++) limiter.onSuccess();
    assert.ok(Math.abs(limiter.rate('collection') - 7.5) < 1e-9, '+0.05 x ceiling per success');
    for (let i = 0; i < 100; i++) limiter.onSuccess();
    assert.equal(limiter.rate('collection'), 10);
  });

  it('a reduced rate really spaces the calls out', async () => {
    const clock = new ManualClock();
    const limiter = new ExchangeRateLimiter('okx', DEFAULT_POLICIES, clock);
    limiter.onRateLimited(); // collection: 5/s, burst 5
    const calls = start(limiter, 'collection', 7);
    await settle();
    assert.equal(calls.granted(), 5);
    await clock.advance(199);
    assert.equal(calls.granted(), 5);
    await clock.advance(1);
    assert.equal(calls.granted(), 6);
    await clock.advance(200);
    await calls.all;
  });

  it('never goes below the floor', () => {
    const policies = withOverrides({ rateLimits: { decreaseCooldownMs: 0 } });
    const limiter = new ExchangeRateLimiter('okx', policies, new ManualClock());
    for (let i = 0; i < 20; i++) limiter.onRateLimited();
    assert.equal(limiter.rate('trades'), 100 * policies.rateLimits.floorFraction);
  });

  it('per exchange ceilings come from config overrides; the Temporal task queue cap sums them', () => {
    const policies = withOverrides({ rateLimits: { exchanges: { binance: { trades: 20 } } } });
    const registry = new RateLimiterRegistry(policies, new ManualClock());
    assert.equal(registry.get('binance').rate('trades'), 20);
    assert.equal(registry.get('okx').rate('trades'), 100);
    assert.equal(registry.get('okx'), registry.get('okx'));
    assert.equal(maxTaskQueueActivitiesPerSecond('okx', policies), 116);
    assert.equal(maxTaskQueueActivitiesPerSecond('binance', policies), 36);
  });

  it('rejects an unknown priority with a one-line reason', async () => {
    const limiter = new ExchangeRateLimiter('okx', DEFAULT_POLICIES, new ManualClock());
    await assert.rejects(limiter.acquire('bulk' as Priority), /unknown rate limit priority 'bulk'; use one of collection, trades, health, admin/);
  });
});
