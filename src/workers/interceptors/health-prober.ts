/**
 * Optional cheap health checks of OPEN dependencies (an exchange's status endpoint, a store's ping):
 * while a breaker is OPEN, its dependency kind's probe runs at most once per healthProbeIntervalMs;
 * the first success moves the breaker to HALF_OPEN early, so recovery is noticed in about a second
 * instead of after the whole open duration. The probes never run while the breaker is not OPEN.
 */
import { logger as defaultLogger, type Logger } from '../../logging';
import type { BreakerRegistry, StateChange } from '../../reliability/circuit-breaker';
import { parseDependencyKey, type DependencyKind } from '../../reliability/dependency';

/** Resolves when the dependency looks healthy; rejects (or resolves false) when it does not. */
export type HealthProbe = (id: string) => Promise<unknown>;
export type HealthProbes = Partial<Record<DependencyKind, HealthProbe>>;

export interface HealthProber {
  /** Stops every probe loop (worker shutdown). */
  stop(): void;
}

export function startHealthProbing(registry: BreakerRegistry, probes: HealthProbes, log: Logger = defaultLogger): HealthProber {
  const timers = new Map<string, NodeJS.Timeout>();
  const intervalMs = registry.policy.healthProbeIntervalMs;

  const stopLoop = (key: string): void => {
    clearInterval(timers.get(key));
    timers.delete(key);
  };

  const startLoop = (key: string, kind: DependencyKind, id: string, probe: HealthProbe): void => {
    if (timers.has(key)) return;
    let inFlight = false;
    const timer = setInterval(() => {
      if (inFlight) return; // a slow probe is never stacked: still at most one per interval
      const breaker = registry.get(key);
      if (breaker.state() !== 'OPEN') {
        stopLoop(key);
        return;
      }
      inFlight = true;
      probe(id)
        .then((result) => {
          if (result !== false && breaker.state() === 'OPEN') breaker.halfOpenEarly(`${kind} health probe succeeded`);
        })
        .catch((err: unknown) => log.debug({ dependency: key, err: String(err) }, 'health probe failed'))
        .finally(() => {
          inFlight = false;
        });
    }, intervalMs);
    timer.unref(); // probing must never keep a stopping worker alive
    timers.set(key, timer);
  };

  const unsubscribe = registry.onStateChange((change: StateChange) => {
    const dependency = parseDependencyKey(change.dependency);
    const probe = dependency ? probes[dependency.kind] : undefined;
    if (!dependency || !probe) return;
    if (change.to === 'OPEN') startLoop(change.dependency, dependency.kind, dependency.id, probe);
    else stopLoop(change.dependency);
  });

  return {
    stop() {
      unsubscribe();
      for (const key of [...timers.keys()]) stopLoop(key);
    },
  };
}
