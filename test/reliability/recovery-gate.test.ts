import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BreakerRegistry, type GrantedPermit } from '../../src/reliability/circuit-breaker';
import { DEFAULT_POLICIES } from '../../src/reliability/policies';
import { GateRegistry, holdWhileOpen, RecoveryGate, type GateChange } from '../../src/reliability/recovery-gate';
import { ManualClock, settle } from './manual-clock';

describe('recovery gate', () => {
  it('a waiting retry is released the moment the dependency is seen healthy, long before its backoff ends', async () => {
    const clock = new ManualClock();
    const gate = new RecoveryGate('exchange:okx', clock);
    gate.hold(16_000, true, 'fetchTrades failed: ECONNREFUSED'); // the backoff after a 4th failed attempt
    assert.equal(gate.remainingMs(), 16_000);
    let outcome: boolean | undefined;
    void gate.wait({ maxWaitMs: 20_000 }).then((free) => (outcome = free));
    await clock.advance(2_500, 100);
    assert.equal(outcome, undefined, 'still waiting while the dependency is down');
    gate.release('exchange health probe succeeded');
    await settle();
    assert.equal(outcome, true, 'released at once, 13.5 s before the backoff would have ended');
    assert.equal(gate.remainingMs(), 0);
  });

  it('a fixed hold (Retry-After, bans) is honoured exactly: health does not end it, and no probe is wanted meanwhile', async () => {
    const clock = new ManualClock();
    const gate = new RecoveryGate('exchange:binance', clock);
    gate.hold(3_000, false, '429 Retry-After: 3');
    gate.hold(1_000, true, 'connection failed');
    assert.equal(gate.probeWanted(), false, 'no probe may hit a dependency that asked us to wait');
    let outcome: boolean | undefined;
    void gate.wait({ maxWaitMs: 10_000 }).then((free) => (outcome = free));
    gate.release('a call succeeded');
    await clock.advance(2_900, 100);
    assert.equal(outcome, undefined, 'the ban still holds after a release');
    await clock.advance(200, 100);
    assert.equal(outcome, true, 'free once the Retry-After has passed');
  });

  it('a wait gives up after maxWaitMs, heartbeats while it waits, and holds only grow', async () => {
    const clock = new ManualClock();
    const gate = new RecoveryGate('store:replica-1', clock);
    gate.hold(30_000, true, 'insert failed');
    gate.hold(5_000, true, 'a shorter backoff does not shorten the hold');
    assert.equal(gate.remainingMs(), 30_000);
    let ticks = 0;
    let outcome: boolean | undefined;
    void gate.wait({ maxWaitMs: 4_000, tickMs: 1_000, onTick: () => (ticks += 1) }).then((free) => (outcome = free));
    await clock.advance(4_100, 100);
    assert.equal(outcome, false);
    assert.ok(ticks >= 3, `heartbeat ticks while waiting: ${ticks}`);
  });

  it('listeners hear when a probe is wanted and when it is not any more; an OPEN breaker holds its gate', async () => {
    const clock = new ManualClock();
    const gates = new GateRegistry(clock);
    const changes: GateChange[] = [];
    gates.onChange((c) => changes.push(c));
    const breakers = new BreakerRegistry({ ...DEFAULT_POLICIES.breaker, consecutiveFailures: 1 }, () => clock.now());
    holdWhileOpen(breakers, gates);
    const breaker = breakers.get('exchange:okx');
    breaker.record(breaker.tryAcquire() as GrantedPermit, 'failure');
    assert.equal(breaker.state(), 'OPEN');
    assert.equal(gates.get('exchange:okx').remainingMs(), DEFAULT_POLICIES.breaker.openDurationMs, 'held for the open duration');
    breaker.closeOnHealth('exchange health probe succeeded');
    assert.equal(gates.get('exchange:okx').remainingMs(), 0, 'leaving OPEN releases the callers');
    assert.deepEqual(changes.map((c) => [c.dependency, c.probeWanted]), [['exchange:okx', true], ['exchange:okx', false]]);
  });
});
