import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BreakerRegistry, CircuitBreaker, type GrantedPermit, type Outcome, type StateChange } from '../../src/reliability/circuit-breaker';
import { DEFAULT_POLICIES, type BreakerPolicy } from '../../src/reliability/policies';

const policy: BreakerPolicy = { ...DEFAULT_POLICIES.breaker, consecutiveFailures: 5, failureRate: 0.5, windowMs: 60_000, minCalls: 10, openDurationMs: 30_000, halfOpenProbes: 3, halfOpenRetryMs: 1_000 };

function setup(overrides: Partial<BreakerPolicy> = {}) {
  let now = 1_000_000;
  const changes: StateChange[] = [];
  const breaker = new CircuitBreaker('exchange:okx', { ...policy, ...overrides }, () => now);
  breaker.onStateChange((c) => changes.push(c));
  const call = (outcome: Outcome): GrantedPermit => {
    const permit = breaker.tryAcquire();
    assert.equal(permit.allowed, true, `expected the call to be admitted in ${breaker.state()}`);
    breaker.record(permit as GrantedPermit, outcome);
    return permit as GrantedPermit;
  };
  return { breaker, changes, call, tick: (ms: number) => (now += ms) };
}

describe('circuit breaker', () => {
  it('opens after 5 consecutive failures and fails fast with the time until the probe', () => {
    const { breaker, changes, call, tick } = setup();
    for (let i = 0; i < 4; i++) call('failure');
    assert.equal(breaker.state(), 'CLOSED');
    call('failure');
    assert.equal(breaker.state(), 'OPEN');
    assert.deepEqual(changes.map((c) => [c.from, c.to]), [['CLOSED', 'OPEN']]);
    assert.match(changes[0].reason, /5 consecutive failures/);
    assert.equal(changes[0].retryInMs, 30_000);
    tick(10_000);
    const refused = breaker.tryAcquire();
    assert.deepEqual(refused, { allowed: false, state: 'OPEN', retryInMs: 20_000 });
  });

  it('a success resets the consecutive count', () => {
    const { breaker, call } = setup({ minCalls: 1_000 });
    for (let i = 0; i < 4; i++) call('failure');
    call('success');
    for (let i = 0; i < 4; i++) call('failure');
    assert.equal(breaker.state(), 'CLOSED');
    assert.equal(breaker.snapshot().consecutiveFailures, 4);
  });

  it('opens on the failure rate over the window once the minimum number of calls is reached', () => {
    const { breaker, changes, call } = setup({ consecutiveFailures: 100 });
    // alternate: never 2 failures in a row, but 50 % failures
    for (let i = 0; i < 4; i++) {
      call('failure');
      call('success');
    }
    call('failure');
    assert.equal(breaker.state(), 'CLOSED', '9 calls are below minCalls = 10');
    call('success'); // 10 calls, 5 failures: rate reached, but a success never opens
    assert.equal(breaker.state(), 'CLOSED');
    call('failure'); // 11 calls, 6 failures
    assert.equal(breaker.state(), 'OPEN');
    assert.match(changes[0].reason, /6 of 11 calls failed within 60s/);
  });

  it('forgets calls that slid out of the window', () => {
    const { breaker, call, tick } = setup({ consecutiveFailures: 100 });
    for (let i = 0; i < 5; i++) {
      call('failure');
      call('success');
    }
    tick(61_000);
    call('failure');
    assert.equal(breaker.state(), 'CLOSED');
    assert.equal(breaker.snapshot().windowCalls, 1);
  });

  it('never counts bad input', () => {
    const { breaker, call } = setup({ minCalls: 1 });
    for (let i = 0; i < 20; i++) call('ignored');
    assert.equal(breaker.state(), 'CLOSED');
    assert.deepEqual([breaker.snapshot().windowCalls, breaker.snapshot().consecutiveFailures], [0, 0]);
  });

  it('half-open admits exactly 3 probes, and the first success closes', () => {
    const { breaker, changes, call, tick } = setup();
    for (let i = 0; i < 5; i++) call('failure');
    tick(30_000);
    assert.equal(breaker.state(), 'HALF_OPEN');
    const probes = [breaker.tryAcquire(), breaker.tryAcquire(), breaker.tryAcquire()];
    assert.ok(probes.every((p) => p.allowed && p.probe));
    assert.deepEqual(breaker.tryAcquire(), { allowed: false, state: 'HALF_OPEN', retryInMs: 1_000 });
    breaker.record(probes[0] as GrantedPermit, 'success');
    assert.equal(breaker.state(), 'CLOSED');
    assert.deepEqual(changes.map((c) => c.to), ['OPEN', 'HALF_OPEN', 'CLOSED']);
    // the other probes' late results belong to an older epoch and change nothing
    breaker.record(probes[1] as GrantedPermit, 'failure');
    assert.equal(breaker.state(), 'CLOSED');
    assert.equal(breaker.snapshot().consecutiveFailures, 0);
  });

  it('a failed probe reopens for another open duration', () => {
    const { breaker, changes, call, tick } = setup();
    for (let i = 0; i < 5; i++) call('failure');
    tick(30_000);
    call('failure');
    assert.equal(breaker.state(), 'OPEN');
    assert.deepEqual(changes.map((c) => c.to), ['OPEN', 'HALF_OPEN', 'OPEN']);
    assert.equal(changes[2].reason, 'probe failed');
    const refused = breaker.tryAcquire();
    assert.equal(refused.allowed, false);
    assert.equal(!refused.allowed && refused.retryInMs, 30_000);
  });

  it('a probe that hit bad input frees its slot without deciding anything', () => {
    const { breaker, call, tick } = setup({ halfOpenProbes: 1 });
    for (let i = 0; i < 5; i++) call('failure');
    tick(30_000);
    call('ignored');
    assert.equal(breaker.state(), 'HALF_OPEN');
    assert.equal(breaker.tryAcquire().allowed, true, 'the slot was given back');
  });

  it('outcomes of calls admitted before the breaker opened are ignored', () => {
    const { breaker, call } = setup();
    const slow = breaker.tryAcquire() as GrantedPermit;
    for (let i = 0; i < 5; i++) call('failure');
    breaker.record(slow, 'success');
    assert.equal(breaker.state(), 'OPEN');
  });

  it('closeOnHealth closes an OPEN or HALF_OPEN breaker (a health probe answered) and is a no-op when CLOSED', () => {
    const { breaker, changes, call } = setup();
    breaker.closeOnHealth();
    assert.equal(breaker.state(), 'CLOSED');
    assert.equal(changes.length, 0);
    for (let i = 0; i < 5; i++) call('failure');
    assert.equal(breaker.state(), 'OPEN');
    breaker.closeOnHealth('store ping ok');
    assert.equal(breaker.state(), 'CLOSED');
    assert.equal(changes.at(-1)?.reason, 'store ping ok');
    assert.equal(breaker.tryAcquire().allowed, true, 'every caller goes at once, no trial calls first');
  });

  it('a throwing listener does not break the breaker', () => {
    const { breaker, call } = setup();
    breaker.onStateChange(() => {
      throw new Error('alerting is down');
    });
    for (let i = 0; i < 5; i++) call('failure');
    assert.equal(breaker.state(), 'OPEN');
  });

  it('the registry keeps one breaker per dependency and relays their state changes', () => {
    let now = 0;
    const registry = new BreakerRegistry({ ...policy, consecutiveFailures: 1 }, () => now);
    const seen: string[] = [];
    registry.onStateChange((c) => seen.push(`${c.dependency}:${c.to}`));
    assert.equal(registry.get('store:primary'), registry.get('store:primary'));
    const permit = registry.get('store:primary').tryAcquire() as GrantedPermit;
    registry.get('store:primary').record(permit, 'failure');
    registry.get('exchange:okx');
    now += 1;
    assert.deepEqual(seen, ['store:primary:OPEN']);
    assert.deepEqual(
      registry.snapshot().map((s) => [s.dependency, s.state]),
      [['store:primary', 'OPEN'], ['exchange:okx', 'CLOSED']],
    );
  });
});
