import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { BreakerRegistry, type GrantedPermit } from '../../src/reliability/circuit-breaker';
import { GateRegistry, holdWhileOpen } from '../../src/reliability/recovery-gate';
import { DEFAULT_POLICIES } from '../../src/reliability/policies';
import { waitUntil } from '../../src/services/process';
import { startHealthProbing } from '../../src/workers/interceptors/health-prober';

const quiet = pino({ level: 'silent' });
const policy = { ...DEFAULT_POLICIES.breaker, consecutiveFailures: 1, openDurationMs: 60_000, healthProbeIntervalMs: 25 };

function openBreaker(registry: BreakerRegistry, key: string): void {
  const breaker = registry.get(key);
  breaker.record(breaker.tryAcquire() as GrantedPermit, 'failure');
  assert.equal(breaker.state(), 'OPEN');
}

describe('health probes of OPEN dependencies', () => {
  it('probe at most once per interval while OPEN; the first success closes the breaker and releases the gate', async () => {
    const registry = new BreakerRegistry(policy);
    const gates = new GateRegistry();
    holdWhileOpen(registry, gates);
    const probedAt: number[] = [];
    const probedIds: string[] = [];
    const prober = startHealthProbing(registry, gates, {
      exchange: async (id) => {
        probedAt.push(Date.now());
        probedIds.push(id);
        if (probedAt.length < 3) throw new Error('still down');
      },
    }, quiet);
    try {
      openBreaker(registry, 'exchange:okx');
      await waitUntil('breaker closed', async () => registry.get('exchange:okx').state() === 'CLOSED', { timeoutMs: 3_000, intervalMs: 5 });
      assert.equal(probedAt.length, 3);
      assert.deepEqual(new Set(probedIds), new Set(['okx']));
      for (let i = 1; i < probedAt.length; i++) assert.ok(probedAt[i] - probedAt[i - 1] >= 20, `probes ${probedAt[i] - probedAt[i - 1]} ms apart`);
      assert.equal(registry.get('exchange:okx').snapshot().lastChange?.reason, 'exchange health probe succeeded');
      const count = probedAt.length;
      await waitUntil('a few intervals to pass', async () => Date.now() - probedAt[count - 1] > 150, { timeoutMs: 1_000, intervalMs: 10 });
      assert.equal(probedAt.length, count, 'no probing once the breaker left OPEN');
      assert.equal(gates.get('exchange:okx').remainingMs(), 0, 'the success released the gate');
    } finally {
      prober.stop();
    }
  });

  it('a probe resolving false is a failed probe; kinds without a probe are left alone; stop() ends probing', async () => {
    const registry = new BreakerRegistry(policy);
    const gates = new GateRegistry();
    holdWhileOpen(registry, gates);
    let calls = 0;
    const prober = startHealthProbing(registry, gates, { store: async () => ((calls += 1), false) }, quiet);
    openBreaker(registry, 'exchange:okx');
    openBreaker(registry, 'store:primary');
    await waitUntil('three store probes', async () => calls >= 3, { timeoutMs: 3_000, intervalMs: 5 });
    assert.equal(registry.get('store:primary').state(), 'OPEN');
    assert.equal(registry.get('exchange:okx').state(), 'OPEN');
    prober.stop();
    const stoppedAt = calls;
    const until = Date.now() + 150;
    await waitUntil('a few intervals to pass', async () => Date.now() > until, { timeoutMs: 1_000, intervalMs: 10 });
    assert.equal(calls, stoppedAt, 'no probe after stop()');
  });
});
