/**
 * Cheap health checks (an exchange's time endpoint, a store's ping) of dependencies whose callers are held:
 * while a dependency's recovery gate holds releasably (a backoff after failures, or an OPEN breaker), its
 * kind's probe runs at most once per healthProbeIntervalMs. The first success releases the gate (parked
 * calls go at once) and closes the breaker (circuit-breaker.ts closeOnHealth), so recovery is noticed within about a second
 * instead of after the longest backoff. No probe runs while nothing is held, nor during a fixed hold
 * (Retry-After, bans), which must be honoured exactly.
 */
import { logger as defaultLogger, type Logger } from '../../logging';
import type { BreakerRegistry } from '../../reliability/circuit-breaker';
import { parseDependencyKey, type DependencyKind } from '../../reliability/dependency';
import type { GateChange, GateRegistry } from '../../reliability/recovery-gate';

/** Resolves when the dependency looks healthy; rejects (or resolves false) when it does not. */
export type HealthProbe = (id: string) => Promise<unknown>;
export type HealthProbes = Partial<Record<DependencyKind, HealthProbe>>;

export interface HealthProber {
  /** Stops every probe loop (worker shutdown). */
  stop(): void;
}

export function startHealthProbing(breakers: BreakerRegistry, gates: GateRegistry, probes: HealthProbes, log: Logger = defaultLogger): HealthProber {
  const timers = new Map<string, NodeJS.Timeout>();
  const intervalMs = breakers.policy.healthProbeIntervalMs;
  /** after this long a probe counts as failed and the next one may go (measured: a ping hung 30 s, issue #13) */
  const probeTimeoutMs = Math.max(2 * intervalMs, 2_000);

  const stopLoop = (key: string): void => {
    clearInterval(timers.get(key));
    timers.delete(key);
  };

  const startLoop = (key: string, kind: DependencyKind, id: string, probe: HealthProbe): void => {
    if (timers.has(key)) return;
    let inFlight = false;
    const gate = gates.get(key);
    const timer = setInterval(() => {
      if (inFlight) return; // a slow probe is never stacked: still at most one per interval
      if (!gate.probeWanted()) {
        if (gate.remainingMs() === 0) stopLoop(key); // nothing held any more
        return;
      }
      inFlight = true;
      // a probe that hangs (a request accepted by a server still starting) must not stop the next ones
      const timer = setTimeout(() => (inFlight = false), probeTimeoutMs);
      timer.unref();
      probe(id)
        .then((result) => {
          if (result === false) return;
          const reason = `${kind} health probe succeeded`;
          const breaker = breakers.get(key);
          breaker.closeOnHealth(reason);
          gate.release(reason);
        })
        .catch((err: unknown) => log.debug({ dependency: key, err }, 'health probe failed'))
        .finally(() => {
          clearTimeout(timer);
          inFlight = false;
        });
    }, intervalMs);
    timer.unref(); // probing must never keep a stopping worker alive
    timers.set(key, timer);
  };

  const unsubscribe = gates.onChange((change: GateChange) => {
    const dependency = parseDependencyKey(change.dependency);
    const probe = dependency ? probes[dependency.kind] : undefined;
    if (!dependency || !probe) return;
    if (change.probeWanted) startLoop(change.dependency, dependency.kind, dependency.id, probe);
    else stopLoop(change.dependency);
  });

  return {
    stop() {
      unsubscribe();
      for (const key of [...timers.keys()]) stopLoop(key);
    },
  };
}
