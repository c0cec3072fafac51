/**
 * Activity reliability: the reliability layer around every activity call, as one Temporal activity
 * inbound interceptor. It classifies errors, spends retry budgets, rate-limits and breaks circuits:
 *  - derives the call's dependency (`exchange:<id>` / `store:<id>`) from its one object argument;
 *  - recovery: a call to a dependency that is held (backing off after failures, or its breaker OPEN) waits
 *    at the dependency's recovery gate (recovery-gate.ts), heartbeating, until the hold ends or the health
 *    prober (health-prober.ts) or any successful call sees the dependency answer again; still held after
 *    breaker.parkMaxMs, it fails with a retryable `circuit_open` retried within openRetryMaxMs. A dependency
 *    failure holds the gate for its class backoff and asks Temporal only for a short retry, so no attempt sits
 *    out a long timer against a dependency that is already back (issue #13);
 *  - circuit breaking: in HALF_OPEN lets the probe calls through; records every outcome (dependency
 *    failures count, bad input does not);
 *  - rate limiting: takes a token from the exchange's adaptive rate limiter, if given, once the breaker
 *    admitted the call, and feeds it the rate-limit signals and successes of exchange calls;
 *  - error classification and retry budgets: converts whatever the activity threw into the classified
 *    ApplicationFailure (classify.ts: error class, backoff or Retry-After as nextRetryDelay, and
 *    `<class>_budget_spent` once the class's budget is spent), so activities stay thin and just throw
 *    what ccxt / ClickHouse throw.
 * State changes are logged and passed to the onStateChange hook (alerts, metrics); spent budgets and the
 * next success after one go to the onBudget hook (alerts).
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { Context } from '@temporalio/activity';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { logger as defaultLogger, type Logger } from '../../logging';
import type { BreakerRegistry, BreakerState, CircuitBreaker, GrantedPermit, Outcome, StateChange } from '../../reliability/circuit-breaker';
import { classify, plannedRetryDelayMs, toApplicationFailure } from '../../reliability/classify';
import { GateRegistry, holdWhileOpen, type RecoveryGate } from '../../reliability/recovery-gate';
import { dependencyOf } from '../../reliability/dependency';
import { BUDGET_SPENT_SUFFIX, CIRCUIT_OPEN, DEFAULT_POLICIES, type Policies, type Priority } from '../../reliability/policies';
import type { RateLimiterRegistry } from '../../reliability/rate-limiter';
import { startHealthProbing, type HealthProbes } from './health-prober';

export interface ActivityReliabilityHooks {
  /** Called on every breaker state change (after it is logged); errors and rejections are logged, not thrown. */
  onStateChange?: (change: StateChange) => void | Promise<void>;
  /** Recovery gates of this process (one per dependency); a new registry when absent. */
  gates?: GateRegistry;
  /** Cheap health checks per dependency kind, run at most once per healthProbeIntervalMs while a gate holds. */
  healthProbes?: HealthProbes;
  /** Policies with config overrides applied; defaults to DEFAULT_POLICIES. */
  policies?: Policies;
  /** Exchange rate limiters: a token is taken before each exchange activity runs, and they adapt on 429 / success. */
  rateLimiters?: RateLimiterRegistry;
  /**
   * Called when a call's retry budget is spent (its failure is final), and on the next success of the same
   * activity type against the same dependency: alerts are raised and resolved from here.
   */
  onBudget?: (event: { spent: boolean; dependency: string; activityType: string; failureType?: string; message?: string }) => void | Promise<void>;
  /** The rate-limit priority class of an exchange activity (default: collection). */
  priorityOf?: (activityType: string) => Priority;
  logger?: Logger;
}

export type ActivityReliabilityInterceptorsFactory = ActivityInterceptorsFactory & {
  /** Stops health probing; call on worker shutdown. */
  stop(): void;
};

function logStateChange(log: Logger, change: StateChange): void {
  const fields = { dependency: change.dependency, from: change.from, to: change.to, reason: change.reason, retryInMs: change.retryInMs };
  if (change.to === 'OPEN') log.warn(fields, `circuit breaker for ${change.dependency} opened: ${change.reason}`);
  else log.info(fields, `circuit breaker for ${change.dependency} ${change.to === 'CLOSED' ? 'closed' : 'half-open'}: ${change.reason}`);
}

/**
 * The `interceptors.activity` entry for Worker.create. Call once per registry (it subscribes to the
 * registry's state changes); share the registry with whatever reports breaker state.
 */
export function activityReliabilityInterceptors(registry: BreakerRegistry, hooks: ActivityReliabilityHooks = {}): ActivityReliabilityInterceptorsFactory {
  const policies = hooks.policies ?? DEFAULT_POLICIES;
  const log = hooks.logger ?? defaultLogger;
  registry.onStateChange((change) => {
    logStateChange(log, change);
    if (!hooks.onStateChange) return;
    try {
      void Promise.resolve(hooks.onStateChange(change)).catch((err: unknown) => log.error({ err }, 'onStateChange hook failed'));
    } catch (err) {
      log.error({ err }, 'onStateChange hook failed');
    }
  });
  const gates = hooks.gates ?? new GateRegistry();
  const unlink = holdWhileOpen(registry, gates);
  const prober = hooks.healthProbes ? startHealthProbing(registry, gates, hooks.healthProbes, log) : undefined;
  const notifyBudget = (event: Parameters<NonNullable<ActivityReliabilityHooks['onBudget']>>[0]): void => {
    if (!hooks.onBudget) return;
    try {
      void Promise.resolve(hooks.onBudget(event)).catch((err: unknown) => log.error({ err }, 'onBudget hook failed'));
    } catch (err) {
      log.error({ err }, 'onBudget hook failed');
    }
  };

  const factory: ActivityInterceptorsFactory = (ctx) => ({
    inbound: {
      async execute(input, next) {
        const { activityType, attempt } = ctx.info;
        const dependency = dependencyOf(activityType, input.args);
        const breaker = dependency ? registry.get(dependency.key) : undefined;
        const gate = dependency ? gates.get(dependency.key) : undefined;
        const limiter = dependency?.kind === 'exchange' ? hooks.rateLimiters?.get(dependency.id) : undefined;
        const permit = dependency && breaker && gate ? await admit(ctx, dependency.key, breaker, gate) : undefined;
        const record = (outcome: Outcome): void => {
          if (breaker && permit) breaker.record(permit, outcome);
        };
        try {
          // Taken only once the breaker admitted the call: a held or fast-failed call costs the exchange nothing.
          await limiter?.acquire(hooks.priorityOf?.(activityType) ?? 'collection');
          const result = await next(input);
          record('success');
          gate?.release(`${activityType} succeeded`);
          limiter?.onSuccess();
          if (dependency) notifyBudget({ spent: false, dependency: dependency.key, activityType });
          return result;
        } catch (err) {
          if (err instanceof CancelledFailure || ctx.cancellationSignal.aborted) {
            record('ignored'); // cancelled by the workflow or a worker shutdown: says nothing about the dependency
            throw err;
          }
          const classification = classify(err);
          const counted = classification.dependencyFailure && policies.breaker.countedClasses.includes(classification.class);
          record(counted ? 'failure' : 'ignored');
          if (classification.class === 'rate_limit') limiter?.onRateLimited(classification.retryAfterMs);
          let retryDelayMs: number | undefined;
          if (counted && gate) {
            // The real backoff is a hold at the gate, which health ends early; Temporal's timer only brings the
            // next attempt to the gate. Rate limits and Retry-After are honoured exactly, by both.
            const planned = plannedRetryDelayMs(classification, attempt, policies);
            const releasable = classification.class !== 'rate_limit';
            gate.hold(planned, releasable, `${activityType} failed: ${classification.message}`);
            retryDelayMs = releasable ? Math.min(planned, policies.breaker.openRetryMaxMs) : planned;
          }
          const failure = toApplicationFailure(err, attempt, { policies, classification, retryDelayMs });
          if (dependency && failure.type?.endsWith(BUDGET_SPENT_SUFFIX)) {
            notifyBudget({ spent: true, dependency: dependency.key, activityType, failureType: failure.type, message: failure.message });
          }
          throw failure;
        }
      },
    },
  });

  /**
   * Waits at the dependency's gate while it holds (heartbeating, cancellable), then asks its breaker for a
   * permit. A call still held or refused after parkMaxMs (or half its start-to-close timeout) fails with a
   * retryable circuit_open whose retry comes after at most openRetryMaxMs.
   */
  async function admit(ctx: Context, key: string, breaker: CircuitBreaker, gate: RecoveryGate): Promise<GrantedPermit> {
    const startToClose = ctx.info.startToCloseTimeoutMs;
    const parkMs = Math.min(policies.breaker.parkMaxMs, startToClose > 0 ? startToClose / 2 : Infinity);
    const heartbeatMs = ctx.info.heartbeatTimeoutMs ? Math.max(ctx.info.heartbeatTimeoutMs / 3, 100) : 1_000;
    const deadline = Date.now() + parkMs;
    const wait = (maxWaitMs: number) => gate.wait({ maxWaitMs, onTick: () => ctx.heartbeat(), tickMs: heartbeatMs, cancelled: ctx.cancelled });
    for (;;) {
      const held = gate.remainingMs();
      if (held === 0) {
        const answer = breaker.tryAcquire();
        if (answer.allowed) return answer;
        // HALF_OPEN with every probe out, or OPEN just released: look again shortly
        if (Date.now() + Math.min(answer.retryInMs, policies.breaker.halfOpenRetryMs) > deadline) throw refused(key, answer.state, answer.retryInMs);
        await ctx.sleep(Math.min(answer.retryInMs, policies.breaker.halfOpenRetryMs));
        continue;
      }
      if (Date.now() >= deadline || !(await wait(deadline - Date.now()))) {
        const state = breaker.state();
        throw refused(key, state === 'CLOSED' ? 'HELD' : state, gate.remainingMs());
      }
    }
  }

  function refused(key: string, state: BreakerState | 'HELD', retryInMs: number): ApplicationFailure {
    const seconds = (retryInMs / 1000).toFixed(1);
    const why = state === 'HELD' ? 'it is backing off after failures' : `its circuit breaker is ${state}`;
    return ApplicationFailure.create({
      type: CIRCUIT_OPEN,
      message: `${key} is failing, ${why}; next probe in ${seconds}s`,
      nonRetryable: false,
      nextRetryDelay: Math.max(Math.min(retryInMs, policies.breaker.openRetryMaxMs), policies.backoff.minDelayMs),
      details: [{ dependency: key, state, retryInMs }],
    });
  }

  return Object.assign(factory, {
    stop: () => {
      prober?.stop();
      unlink();
    },
  });
}
