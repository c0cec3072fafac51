/**
 * Activity reliability: the reliability layer around every activity call, as one Temporal activity
 * inbound interceptor. It classifies errors, spends retry budgets, rate-limits and breaks circuits:
 *  - derives the call's dependency (`exchange:<id>` / `store:<id>`) from its one object argument;
 *  - circuit breaking: while that dependency's breaker is OPEN, fails fast with a retryable
 *    ApplicationFailure of type `circuit_open` whose nextRetryDelay is the time until the next probe;
 *    in HALF_OPEN lets the probe calls through; records the outcome (dependency failures count, bad
 *    input does not); runs the optional health probes of OPEN dependencies (health-prober.ts);
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
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { logger as defaultLogger, type Logger } from '../../logging';
import type { BreakerRegistry, GrantedPermit, Outcome, StateChange } from '../../reliability/circuit-breaker';
import { classify, toApplicationFailure } from '../../reliability/classify';
import { dependencyOf } from '../../reliability/dependency';
import { BUDGET_SPENT_SUFFIX, CIRCUIT_OPEN, DEFAULT_POLICIES, type Policies, type Priority } from '../../reliability/policies';
import type { RateLimiterRegistry } from '../../reliability/rate-limiter';
import { startHealthProbing, type HealthProbes } from './health-prober';

export interface ActivityReliabilityHooks {
  /** Called on every breaker state change (after it is logged); errors and rejections are logged, not thrown. */
  onStateChange?: (change: StateChange) => void | Promise<void>;
  /** Cheap health checks per dependency kind, run at most once per healthProbeIntervalMs while OPEN. */
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
      void Promise.resolve(hooks.onStateChange(change)).catch((err: unknown) => log.error({ err: String(err) }, 'onStateChange hook failed'));
    } catch (err) {
      log.error({ err: String(err) }, 'onStateChange hook failed');
    }
  });
  const prober = hooks.healthProbes ? startHealthProbing(registry, hooks.healthProbes, log) : undefined;
  const notifyBudget = (event: Parameters<NonNullable<ActivityReliabilityHooks['onBudget']>>[0]): void => {
    if (!hooks.onBudget) return;
    try {
      void Promise.resolve(hooks.onBudget(event)).catch((err: unknown) => log.error({ err: String(err) }, 'onBudget hook failed'));
    } catch (err) {
      log.error({ err: String(err) }, 'onBudget hook failed');
    }
  };

  const factory: ActivityInterceptorsFactory = (ctx) => ({
    inbound: {
      async execute(input, next) {
        const { activityType, attempt } = ctx.info;
        const dependency = dependencyOf(activityType, input.args);
        const breaker = dependency ? registry.get(dependency.key) : undefined;
        const limiter = dependency?.kind === 'exchange' ? hooks.rateLimiters?.get(dependency.id) : undefined;
        let permit: GrantedPermit | undefined;
        if (breaker && dependency) {
          const answer = breaker.tryAcquire();
          if (!answer.allowed) {
            const seconds = (answer.retryInMs / 1000).toFixed(1);
            throw ApplicationFailure.create({
              type: CIRCUIT_OPEN,
              message: `${dependency.key} is failing, its circuit breaker is ${answer.state}; next probe in ${seconds}s`,
              nonRetryable: false,
              nextRetryDelay: Math.max(Math.min(answer.retryInMs, policies.breaker.openRetryMaxMs), policies.backoff.minDelayMs),
              details: [{ dependency: dependency.key, state: answer.state, retryInMs: answer.retryInMs }],
            });
          }
          permit = answer;
        }
        const record = (outcome: Outcome): void => {
          if (breaker && permit) breaker.record(permit, outcome);
        };
        try {
          // Taken only once the breaker admitted the call: a fast-failed call costs the exchange nothing.
          await limiter?.acquire(hooks.priorityOf?.(activityType) ?? 'collection');
          const result = await next(input);
          record('success');
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
          const failure = toApplicationFailure(err, attempt, { policies, classification });
          if (dependency && failure.type?.endsWith(BUDGET_SPENT_SUFFIX)) {
            notifyBudget({ spent: true, dependency: dependency.key, activityType, failureType: failure.type, message: failure.message });
          }
          throw failure;
        }
      },
    },
  });
  return Object.assign(factory, { stop: () => prober?.stop() });
}
