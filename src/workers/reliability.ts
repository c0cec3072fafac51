import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import type { ExchangePool } from '../exchange/pool';
import type { AlertSink } from '../alerts/alert-sink';
import type { Config } from '../config/schema';
import { logger } from '../logging';
import { BreakerRegistry, type StateChange } from '../reliability/circuit-breaker';
import { withOverrides, type Policies, type Priority } from '../reliability/policies';
import { RateLimiterRegistry } from '../reliability/rate-limiter';
import { GateRegistry } from '../reliability/recovery-gate';
import { storePing } from '../storage/client';
import { activityReliabilityInterceptors } from './interceptors/activity-reliability';

/** Trades are paged often and cheaply; everything else polls at the collection rate. */
export function priorityOf(activityType: string): Priority {
  return activityType === 'fetchTrades' ? 'trades' : 'collection';
}

export interface WorkerReliability {
  policies: Policies;
  breakers: BreakerRegistry;
  rateLimiters: RateLimiterRegistry;
  /** where calls to a failing dependency wait until it answers again (recovery-gate.ts) */
  gates: GateRegistry;
  interceptor: ActivityInterceptorsFactory & { stop(): void };
}

/**
 * The reliability layer of one worker process: policies with the config's overrides, one breaker per
 * dependency, one adaptive rate limiter per exchange, one recovery gate per dependency where calls wait out
 * their backoff, cheap health probes that release those calls (and let an open breaker close) as soon as the
 * dependency answers again, and breaker changes turned into alerts.
 */
export function workerReliability(config: Config, pool: ExchangePool, alerts: AlertSink): WorkerReliability {
  const policies = withOverrides(config.reliability);
  const breakers = new BreakerRegistry(policies.breaker);
  const rateLimiters = new RateLimiterRegistry(policies);
  const gates = new GateRegistry();
  const onStateChange = async (change: StateChange): Promise<void> => {
    const key = `breaker:${change.dependency}`;
    if (change.to === 'OPEN') {
      await alerts.raise({ key, severity: 'warning', source: change.dependency, message: `circuit breaker for ${change.dependency} opened: ${change.reason}` });
    } else if (change.to === 'CLOSED') {
      await alerts.resolve(key, change.dependency, `circuit breaker for ${change.dependency} closed: ${change.reason}`);
    }
  };
  // One alert per (activity type, dependency) whose retry budget ran out; the next success resolves it.
  const onBudget = async (event: { spent: boolean; dependency: string; activityType: string; failureType?: string; message?: string }): Promise<void> => {
    const key = `budget:${event.activityType}:${event.dependency}`;
    if (event.spent) {
      await alerts.raise({ key, severity: 'warning', source: event.dependency, message: `${event.activityType} against ${event.dependency} gave up (${event.failureType}): ${event.message ?? ''}` });
    } else if (alerts.isOpen(key)) {
      await alerts.resolve(key, event.dependency, `${event.activityType} against ${event.dependency} succeeds again`);
    }
  };
  const interceptor = activityReliabilityInterceptors(breakers, {
    policies,
    rateLimiters,
    gates,
    priorityOf,
    onStateChange,
    onBudget,
    logger,
    healthProbes: {
      exchange: async (id) => {
        await rateLimiters.get(id).acquire('health');
        const exchange = await pool.get(id);
        if (!exchange.has.fetchTime) throw new Error(`${id} has no cheap health endpoint`);
        return exchange.fetchTime();
      },
      store: async (id) => {
        const store = config.stores.find((s) => s.id === id);
        if (!store) throw new Error(`unknown store ${id}`);
        const ping = await storePing(store);
        if (!ping.success) throw ping.error;
        return ping;
      },
    },
  });
  return { policies, breakers, rateLimiters, gates, interceptor };
}
